"""The manager's web service: upload the register, fix its rows, edit the scenario, plan the week.

A small ASGI application (FastAPI under Uvicorn) with server-rendered Jinja2 pages and htmx (bundled
offline in ``routing/static/htmx``). Everything persists in SQLite (WAL) through SQLAlchemy, with the
schema made by the Alembic migrations shipped in ``routing/service/migrations`` and run at start;
files (uploads, plan outputs) live under the data folder and are referenced from the database.

Plans run in worker processes fed from a queue kept in the database (:mod:`routing.service.jobs`),
so the pages stay responsive while the solver works, a plan can be cancelled, and a server killed
mid-plan marks that plan interrupted when it starts again.

Modules: ``settings`` (configuration), ``store`` (tables and migrations), ``security`` (passwords,
sessions, CSRF), ``uploads`` (checked uploads and the geocoding report), ``scenarios`` (the form and
the TOML it becomes), ``jobs`` (the queue, running `routing.api` in workers), ``driverlinks`` (the
tokened driver links a phone opens without sign-in: tokens, expiry), ``app`` (the application, its
language and error pages), ``pages`` (the routes), ``server`` (``taza-route serve``).
"""
