# Benchmarks (docs/benchmarks.md): each prints its figures and its baseline from the same run;
# the output is also kept in bench/out/. They take the machine's cores: run them on a quiet one.
PY ?= .venv/bin/python
OUT := bench/out
export PYTHONUNBUFFERED := 1

.PHONY: bench bench-pipeline bench-intake bench-burst bench-scale bench-queue-page

bench: bench-pipeline bench-intake bench-burst bench-scale bench-queue-page

$(OUT):
	mkdir -p $(OUT)

bench-pipeline: | $(OUT)
	$(PY) -m bench.pipeline --orders 20000 --db both | tee $(OUT)/pipeline.txt

bench-intake: | $(OUT)
	$(PY) -m bench.intake --seconds 30 --db sqlite | tee $(OUT)/intake-sqlite.txt
	$(PY) -m bench.intake --seconds 30 --db postgresql | tee $(OUT)/intake-postgresql.txt

bench-burst: | $(OUT)
	$(PY) -m bench.burst --orders 100000 --db sqlite | tee $(OUT)/burst-sqlite.txt
	$(PY) -m bench.burst --orders 100000 --db postgresql | tee $(OUT)/burst-postgresql.txt

bench-scale: | $(OUT)
	$(PY) -m bench.scale --orders 5000 | tee $(OUT)/scale.txt

bench-queue-page: | $(OUT)
	$(PY) -m bench.queue_page --orders 10000,100000,1000000 | tee $(OUT)/queue-page.txt
