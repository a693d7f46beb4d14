/* SPDX-License-Identifier: MIT */
#include "engine3d/workers.h"

#include <stdlib.h>
#include <unistd.h>

struct worker_arg {
	struct e3d_workers *workers;
	unsigned index;
};

static void take_items(struct e3d_workers *workers, unsigned worker)
{
	for (;;) {
		unsigned item = atomic_fetch_add(&workers->next, 1);
		if (item >= workers->items)
			return;
		workers->fn(workers->ctx, item, worker);
	}
}

static void hook(struct e3d_workers *workers, void (*fn)(void *opaque))
{
	if (fn)
		fn(workers->hook_opaque);
}

static void *worker_main(void *opaque)
{
	struct worker_arg arg = *(struct worker_arg *)opaque;
	struct e3d_workers *workers = arg.workers;
	unsigned long seen = 0;

	free(opaque);
	pthread_mutex_lock(&workers->lock);
	for (;;) {
		while (!workers->quit && workers->generation == seen)
			pthread_cond_wait(&workers->wake, &workers->lock);
		if (workers->quit)
			break;
		seen = workers->generation;
		pthread_mutex_unlock(&workers->lock);
		hook(workers, workers->enter);
		take_items(workers, arg.index);
		hook(workers, workers->leave);
		pthread_mutex_lock(&workers->lock);
		if (--workers->busy == 0)
			pthread_cond_signal(&workers->done);
	}
	pthread_mutex_unlock(&workers->lock);
	return NULL;
}

bool e3d_workers_start(struct e3d_workers *workers, unsigned count)
{
	if (count == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		count = cores > 0 ? (unsigned)cores : 1;
	}
	if (count > 256)
		count = 256;
	pthread_mutex_init(&workers->lock, NULL);
	pthread_cond_init(&workers->wake, NULL);
	pthread_cond_init(&workers->done, NULL);
	workers->threads = calloc(count, sizeof(*workers->threads));
	workers->started = 0;
	workers->count = 1;
	if (!workers->threads)
		return count == 1;
	for (unsigned i = 1; i < count; i++) {
		struct worker_arg *arg = malloc(sizeof(*arg));
		if (!arg)
			break;
		*arg = (struct worker_arg){workers, i};
		if (pthread_create(&workers->threads[workers->started], NULL, worker_main, arg) != 0) {
			free(arg);
			break;
		}
		workers->started++;
		workers->count++;
	}
	return workers->count == count;
}

void e3d_workers_stop(struct e3d_workers *workers)
{
	pthread_mutex_lock(&workers->lock);
	workers->quit = true;
	pthread_cond_broadcast(&workers->wake);
	pthread_mutex_unlock(&workers->lock);
	for (unsigned i = 0; i < workers->started; i++)
		pthread_join(workers->threads[i], NULL);
	free(workers->threads);
	pthread_cond_destroy(&workers->done);
	pthread_cond_destroy(&workers->wake);
	pthread_mutex_destroy(&workers->lock);
}

void e3d_workers_run(struct e3d_workers *workers, unsigned items, e3d_work_fn fn, void *ctx)
{
	if (items == 0)
		return;
	workers->fn = fn;
	workers->ctx = ctx;
	workers->items = items;
	atomic_store(&workers->next, 0);
	if (workers->started && items > 1) {
		pthread_mutex_lock(&workers->lock);
		workers->busy = workers->started;
		workers->generation++;
		pthread_cond_broadcast(&workers->wake);
		pthread_mutex_unlock(&workers->lock);
		take_items(workers, 0);
		hook(workers, workers->leave);
		pthread_mutex_lock(&workers->lock);
		while (workers->busy)
			pthread_cond_wait(&workers->done, &workers->lock);
		pthread_mutex_unlock(&workers->lock);
		hook(workers, workers->enter);
	} else {
		take_items(workers, 0);
	}
}
