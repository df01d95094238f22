"""django_app.py: the seed article's Django stack in one file: a ListView serving /records/?page=N as JSON,
under gunicorn (`gunicorn --threads 2xCPU django_app:application`). The view runs the seed query through
Django's database connection (psycopg2). CONN_MAX_AGE comes from the environment and defaults to Django's
own default, 0: a new database connection for every request, which is what a project gets unless it says
otherwise (set CONN_MAX_AGE=60 to keep them)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="seed-article-example-not-secret",
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_TZ=True,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", "postgres"),
            "HOST": os.environ.get("PGHOST", ""),
            "PORT": os.environ.get("PGPORT", ""),
            "USER": os.environ.get("PGUSER", ""),
            "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "0")),
        }
    },
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponseBadRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.generic import ListView  # noqa: E402

import common  # noqa: E402

SQL = common.seed_sql().replace("$1", "%s")


class RecordList(ListView):
    """The article's ListView: one aggregate query a page, rendered as JSON instead of a template."""

    def get(self, request, *args, **kwargs):
        offset = common.page_offset(request.GET.get("page"))
        if offset is None:
            return HttpResponseBadRequest("bad page number\n")
        with connection.cursor() as cur:
            cur.execute(SQL, [offset])
            names = [c[0] for c in cur.description]
            rows = cur.fetchall()
        return JsonResponse(common.page_json(rows, names))


urlpatterns = [path("records/", RecordList.as_view())]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
