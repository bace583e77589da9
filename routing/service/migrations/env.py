"""Alembic environment: run the service's migrations on the URL given by ``store.migrate``."""

from __future__ import annotations

from alembic import context

from routing.service.store import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "routing.service.store.migrate sets sqlalchemy.url"
engine = make_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
