// The training loop: batches of random windows from a token stream, one sequence
// per thread at a time (each thread owns its activations and gradient buffer; the
// buffers are summed in thread order, so a run is deterministic for a thread
// count), AdamW, held-out evaluation and checkpoints that resume exactly.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/optimizer.h"
#include "train/train_pass.h"

namespace holo {

class thread_pool;

struct train_options {
    train_hparams hp;
    routing_options routing;
    adamw_options adam;
    int64_t batch = 16;      // sequences of hp.n_ctx tokens per step
    uint64_t seed = 1;       // initialization, batch sampling and router noise
    int n_threads = 2;
};

// What one step measured, summed over its batch.
struct step_stats {
    int64_t step = 0;           // 1-based: the step just taken
    double loss = 0, ce = 0;    // batch means
    double aux = 0, z = 0;      // mean over layers (and sequences) of the per-sequence values
    double max_logit = 0;       // largest |router logit| seen in the batch
    double grad_norm = 0, lr = 0;
    int64_t n_tokens = 0;
    std::vector<int64_t> load;  // [n_expert, n_layer] assignments
};

class trainer {
public:
    trainer(train_options opt, std::vector<int32_t> train_tokens);
    ~trainer();

    const train_options& options() const { return opt_; }
    const param_layout& layout() const { return lay_; }
    const std::vector<float>& params() const { return params_; }
    std::vector<float>& params() { return params_; }
    int64_t step() const { return adam_.t; }

    step_stats train_step();

    // Mean cross-entropy (nats/token) over consecutive n_ctx windows of `tokens`
    // (at most max_windows), no router noise. Also fills load when non-null.
    double evaluate(std::span<const int32_t> tokens, int64_t max_windows, std::vector<int64_t>* load = nullptr);

    // Perplexity with llama.cpp's chunking (runtime/perplexity.h: chunks of n_ctx
    // <= hp.n_ctx, second half scored, no BOS substitution: the vocabulary adds none),
    // at most max_chunks chunks; error when the text is too short.
    result<double> perplexity(std::span<const int32_t> tokens, int32_t n_ctx, int32_t max_chunks);

    // Checkpoint: hyper-parameters, step, parameters and AdamW moments, bit-exact.
    result<void> save_checkpoint(const std::string& path) const;
    result<void> load_checkpoint(const std::string& path);

private:
    train_options opt_;
    param_layout lay_;
    std::vector<int32_t> tokens_;
    std::vector<float> params_;
    adamw_state adam_;
    std::unique_ptr<thread_pool> pool_;
    std::vector<std::vector<float>> grads_;       // per thread
    std::vector<std::unique_ptr<seq_pass<float>>> passes_;
};

}  // namespace holo
