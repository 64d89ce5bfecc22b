from .revisions import revision


class RevisionMiddleware:
    """Everything one request writes (an admin save with its inlines, an import, an action) is
    one revision of the crises it touches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        user = request.user if request.user.is_authenticated else None
        with revision(user=user):
            return self.get_response(request)
