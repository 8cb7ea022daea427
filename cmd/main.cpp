// kubectl-starform: the thin main. Everything it does lives in cmd/app.cpp and the subcommands.
#include "cmd/app.h"

#if STARFORM_MIMALLOC
#include <mimalloc.h>
#else
#include <malloc.h>
#endif

namespace {

// A run builds trees of hundreds of megabytes (a parsed document, rendered objects, the live
// objects) and frees them only at its end. Page faults on fresh memory were a fifth of a
// 10,000-app plan's time on our VMs (bench/README.md): take memory in 2 MiB pages, commit it at
// once, and hand unused segments back without delay so that the large pages do not raise the
// peak. A short-lived command has no reason to shrink its heap otherwise.
void TuneAllocator() {
#if STARFORM_MIMALLOC
  mi_option_set(mi_option_large_os_pages, 1);
  mi_option_set(mi_option_eager_commit_delay, 0);
  mi_option_set(mi_option_segment_decommit_delay, 0);
#else
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  TuneAllocator();
  return starform::RunApp(argc, argv);
}
