import os

from django.core.asgi import get_asgi_application

from crisis_tracker import preload

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")

application = get_asgi_application()
preload.for_serving()
