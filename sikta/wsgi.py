import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sikta.settings")
application = get_wsgi_application()

from sikta.core.startup import settle  # noqa: E402 (needs the apps loaded)

settle()
