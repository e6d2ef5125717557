# Benchmarks (docs/benchmarks.md): each prints its figures and its baseline from the same run;
# the output is also kept in bench/out/. They take the machine's cores: run them on a quiet one.
#   make bench                  on Tansu (bestil dev's broker): bench/out/*.txt
#   make bench BROKER=kafka     on Apache Kafka (deploy/kafka's jars, Java 17+): bench/out/*-kafka.txt;
#                               bench-scale on three brokers (replication factor 3), no queue page
#   make bench-both             both, one after the other
PY ?= .venv/bin/python
OUT := bench/out
BROKER ?= tansu
export PYTHONUNBUFFERED := 1
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c  # a benchmark that fails fails make, through tee

ifeq ($(filter $(BROKER),tansu kafka),)
$(error BROKER must be tansu or kafka, not "$(BROKER)")
endif
ifeq ($(BROKER),kafka)
SUFFIX := -kafka
SCALE_BROKERS := --brokers 3
BENCH_TARGETS := bench-pipeline bench-intake bench-burst bench-scale
else
SUFFIX :=
SCALE_BROKERS :=
BENCH_TARGETS := bench-pipeline bench-intake bench-burst bench-scale bench-queue-page bench-stats-page bench-overview bench-consumer
endif
ON := --broker $(BROKER)

.PHONY: bench bench-both bench-kafka bench-pipeline bench-intake bench-burst bench-scale bench-queue-page bench-stats-page bench-overview bench-consumer

bench: $(BENCH_TARGETS)

bench-kafka:
	$(MAKE) bench BROKER=kafka

bench-both:
	$(MAKE) bench BROKER=tansu
	$(MAKE) bench BROKER=kafka

$(OUT):
	mkdir -p $(OUT)

bench-pipeline: | $(OUT)
	$(PY) -m bench.pipeline --orders 20000 --db both $(ON) | tee $(OUT)/pipeline$(SUFFIX).txt

bench-intake: | $(OUT)
	$(PY) -m bench.intake --seconds 30 --db sqlite $(ON) | tee $(OUT)/intake-sqlite$(SUFFIX).txt
	$(PY) -m bench.intake --seconds 30 --db postgresql $(ON) | tee $(OUT)/intake-postgresql$(SUFFIX).txt

bench-burst: | $(OUT)
	$(PY) -m bench.burst --orders 100000 --db sqlite $(ON) | tee $(OUT)/burst-sqlite$(SUFFIX).txt
	$(PY) -m bench.burst --orders 100000 --db postgresql $(ON) | tee $(OUT)/burst-postgresql$(SUFFIX).txt

bench-scale: | $(OUT)
	$(PY) -m bench.scale --orders 5000 $(ON) $(SCALE_BROKERS) | tee $(OUT)/scale$(SUFFIX).txt

# no broker involved: the same on both
bench-queue-page: | $(OUT)
	$(PY) -m bench.queue_page --orders 10000,100000,1000000 | tee $(OUT)/queue-page.txt

bench-consumer: | $(OUT)
	$(PY) -m bench.consumer_batch --batch 500 --batches 10 | tee $(OUT)/consumer-batch-500.txt
	$(PY) -m bench.consumer_batch --batch 1 --batches 300 | tee $(OUT)/consumer-batch-1.txt

bench-stats-page: | $(OUT)
	$(PY) -m bench.stats_page --orders 100000,1000000 | tee $(OUT)/stats-page.txt

bench-overview: | $(OUT)
	$(PY) -m bench.overview --orders 100000,1000000 | tee $(OUT)/overview.txt
