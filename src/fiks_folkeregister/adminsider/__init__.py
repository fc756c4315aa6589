"""The administration pages under /admin/: an organisation's administrators and the platform operator set up
and run the service in a browser (see docs/admin.md; the foundation is `web.py`)."""
