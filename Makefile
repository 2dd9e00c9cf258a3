# autodcc: `make demo` installs and starts everything with demo data; `make test` installs and tests.
VENV ?= .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8000

.PHONY: install demo serve test test-fast lint messages bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $$(scripts/find-python) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_data
	$(BIN)/python manage.py serve --bind $(BIND)

serve: install
	$(BIN)/python manage.py serve --bind $(BIND)

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench

messages: install
	cd src/autodcc && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --settings=autodcc.settings
	cd src/autodcc && ../../$(BIN)/django-admin compilemessages -l zh_Hans --settings=autodcc.settings

bench: install
	$(BIN)/python bench/capture_http.py
	$(BIN)/python bench/import_bulk.py
	$(BIN)/python bench/profile_capture.py
	$(BIN)/python bench/outreach_queue.py
	$(BIN)/python bench/campaign_burst.py
	$(BIN)/python bench/store_pages.py
	$(BIN)/python bench/assistant.py

clean:
	rm -rf $(VENV) var artifacts
