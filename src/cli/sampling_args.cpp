#include "cli/sampling_args.h"

namespace holo::cli {

void add_sampling_options(CLI::App& app, sampler_params& sp) {
    app.add_option("--temp", sp.temperature, "temperature (0: greedy)");
    app.add_option("--top-k", sp.top_k, "keep the K most likely tokens (0: off)");
    app.add_option("--top-p", sp.top_p, "nucleus: smallest set with this probability mass (1: off)");
    app.add_option("--min-p", sp.min_p, "drop tokens below this fraction of the top probability (0: off)");
    app.add_option("--repeat-penalty", sp.repeat_penalty, "penalize recently seen tokens (1: off)");
    app.add_option("--repeat-last-n", sp.penalty_last_n, "how many recent tokens the penalties consider");
    app.add_option("--presence-penalty", sp.presence_penalty, "subtract from seen tokens' logits (0: off)");
    app.add_option("--frequency-penalty", sp.frequency_penalty, "subtract count × this (0: off)");
}

}  // namespace holo::cli
