import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if os.environ.get("YIYANG_GC_FREEZE", "1") != "0":
    # Load every view now (the URLconf imports them) and move the objects made while loading, which live as
    # long as the worker, out of the cyclic collector's generations: a full collection during a request then
    # walks only what requests made (decision 0019: the tail of request latency).
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.freeze()
