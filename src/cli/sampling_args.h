// The sampling flags `holo run` and `holo chat` share, with llama.cpp's names
// (--temp, --top-k, --top-p, --min-p, penalties), bound to a sampler_params.
#pragma once

#include <CLI/CLI.hpp>

#include "runtime/sampler.h"

namespace holo::cli {

void add_sampling_options(CLI::App& app, sampler_params& sp);

}  // namespace holo::cli
