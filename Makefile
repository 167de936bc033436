# The two commands of the quick start: `make demo` and `make test`.
.PHONY: demo test check lint format messages worker scheduler web

demo:
	scripts/bootstrap.sh
	.venv/bin/python manage.py demo

test:
	# PostgreSQL and Redis: the database of the PostgreSQL run, and the Bluesky reference servers in every run.
	scripts/services.sh postgres redis
	scripts/bootstrap.sh --dev
	scripts/test.sh

# Static checks (CI runs them too).
check:
	scripts/bootstrap.sh --dev
	scripts/check.sh

format:
	.venv/bin/ruff format parvis tests
	.venv/bin/ruff check --fix parvis tests

messages:
	cd parvis && ../.venv/bin/python ../manage.py makemessages -l fr --no-obsolete && ../.venv/bin/python ../manage.py compilemessages

web:
	.venv/bin/gunicorn parvis.wsgi --bind 127.0.0.1:8000 --workers 2 --threads 4

worker:
	.venv/bin/python manage.py db_worker

scheduler:
	.venv/bin/python manage.py parvis_scheduler
