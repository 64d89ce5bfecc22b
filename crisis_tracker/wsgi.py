import os

from django.core.wsgi import get_wsgi_application

from crisis_tracker import preload

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")

application = get_wsgi_application()
preload.for_serving()
