# PracticeOps developer commands. `make run` and `make test` are the README's two commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev lint format migrate worker beat check-deploy

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

# The embedded default: SQLite, local-memory cache, eager tasks, console e-mail, demo data.
run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py collectstatic --noinput -v 0
	DEBUG=true $(BIN)/python manage.py seed_demo --staff
	@echo ""
	@echo "The web app: http://localhost:$(PORT)/app/"
	@echo "  sign in as a member: sarah@harmonia.example / practice-makes-harmony"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

# The test suite. DATABASE_URL / REDIS_URL choose PostgreSQL and Redis (see README).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/python manage.py migrate

worker: install
	$(BIN)/celery -A practiceops worker --loglevel=INFO

beat: install
	$(BIN)/celery -A practiceops beat --loglevel=INFO

check-deploy: install
	DEBUG=false $(BIN)/python manage.py check --deploy --fail-level WARNING
