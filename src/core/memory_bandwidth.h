// The machine's memory read bandwidth, the roofline `holo bench` compares against:
// decode of a large model reads every active weight once per token, so achieved
// GB/s over this number says how close to the hardware limit a kernel runs.
#pragma once

#include <cstddef>
#include <string>

namespace holo {

struct bandwidth_measurement {
    double gb_s = 0;      // 1e9 bytes per second
    bool cached = false;  // read from the cache file rather than measured now
    std::string source;   // the cache file, or "measured"
};

// Reads a `bytes`-sized buffer (far larger than the caches) with `n_threads`
// threads and returns the best of `repeats` passes, in 1e9 bytes/s.
double measure_read_bandwidth(int n_threads, size_t bytes = size_t(512) << 20, int repeats = 3);

// The cached value from ~/.cache/holobiont/memory_bandwidth.json when it was
// measured on this CPU model, else measures (all hardware threads) and writes the cache.
// refresh: measure even when a cached value exists.
bandwidth_measurement machine_memory_bandwidth(bool refresh = false);

}  // namespace holo
