#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/thread_pool.h"
#include "runtime/perplexity.h"

namespace holo {

namespace {

// splitmix64: independent deterministic streams from (seed, step, index).
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

constexpr char k_magic[8] = {'H', 'O', 'L', 'O', 'C', 'K', 'P', '1'};

}  // namespace

trainer::trainer(train_options opt, std::vector<int32_t> train_tokens)
    : opt_(std::move(opt)), lay_(make_layout(opt_.hp)), tokens_(std::move(train_tokens)) {
    HOLO_ASSERT(int64_t(tokens_.size()) > opt_.hp.n_ctx + 1, "trainer: fewer training tokens than one window");
    init_params(lay_, opt_.seed, params_);
    const int nt = std::max(1, opt_.n_threads);
    pool_ = std::make_unique<thread_pool>(nt);
    grads_.resize(size_t(nt));
    for (int i = 0; i < nt; ++i) passes_.push_back(std::make_unique<seq_pass<float>>(lay_));
}

trainer::~trainer() = default;

step_stats trainer::train_step() {
    const auto& hp = opt_.hp;
    const int64_t step = adam_.t;
    const int nt = pool_->size();
    const int64_t n_windows = int64_t(tokens_.size()) - hp.n_ctx - 1;
    std::vector<seq_stats> stats(static_cast<size_t>(opt_.batch));
    pool_->run([&](int ith, int nth) {
        auto& g = grads_[size_t(ith)];
        g.assign(lay_.n_params, 0.0f);
        for (int64_t b = ith; b < opt_.batch; b += nth) {
            const uint64_t r = mix(mix(opt_.seed ^ 0x5eed) + uint64_t(step) * 1000003ull + uint64_t(b));
            const int64_t start = int64_t(r % uint64_t(n_windows + 1));
            std::span<const int32_t> seq(tokens_.data() + start, size_t(hp.n_ctx + 1));
            passes_[size_t(ith)]->forward(params_.data(), seq, opt_.routing, mix(r), stats[size_t(b)]);
            passes_[size_t(ith)]->backward(params_.data(), g.data(), 1.0 / double(opt_.batch));
        }
    });
    // sum the per-thread gradients in thread order (deterministic), in parallel over params
    pool_->parallel_for(int64_t(lay_.n_params), 1 << 14, [&](int64_t b, int64_t e) {
        for (int t = 1; t < nt; ++t) {
            const float* src = grads_[size_t(t)].data();
            float* dst = grads_[0].data();
            for (int64_t i = b; i < e; ++i) dst[i] += src[i];
        }
    });
    step_stats out;
    out.lr = lr_at(opt_.adam, step);
    out.grad_norm = adamw_step(opt_.adam, lay_, params_, grads_[0], adam_);
    out.step = adam_.t;
    out.load.assign(size_t(hp.n_layer * hp.n_expert), 0);
    for (const auto& s : stats) {
        out.loss += s.loss / double(opt_.batch);
        out.ce += s.ce_sum / double(s.n_targets) / double(opt_.batch);
        for (int64_t il = 0; il < hp.n_layer; ++il) {
            out.aux += s.aux[size_t(il)] / double(hp.n_layer * opt_.batch);
            out.z += s.z[size_t(il)] / double(hp.n_layer * opt_.batch);
            out.max_logit = std::max(out.max_logit, s.max_logit[size_t(il)]);
        }
        for (size_t i = 0; i < s.load.size(); ++i) out.load[i] += s.load[i];
        out.n_tokens += s.n_targets;
    }
    return out;
}

double trainer::evaluate(std::span<const int32_t> tokens, int64_t max_windows, std::vector<int64_t>* load) {
    const auto& hp = opt_.hp;
    const int64_t n_win = std::min(max_windows, (int64_t(tokens.size()) - 1) / hp.n_ctx);
    HOLO_ASSERT(n_win >= 1, "evaluate: fewer tokens than one window");
    std::vector<seq_stats> stats(static_cast<size_t>(n_win));
    pool_->run([&](int ith, int nth) {
        for (int64_t w = ith; w < n_win; w += nth) {
            std::span<const int32_t> seq(tokens.data() + w * hp.n_ctx, size_t(hp.n_ctx + 1));
            passes_[size_t(ith)]->forward(params_.data(), seq, routing_options{}, 0, stats[size_t(w)]);
        }
    });
    double ce = 0;
    int64_t n = 0;
    if (load) load->assign(size_t(hp.n_layer * hp.n_expert), 0);
    for (const auto& s : stats) {
        ce += s.ce_sum;
        n += s.n_targets;
        if (load)
            for (size_t i = 0; i < s.load.size(); ++i) (*load)[i] += s.load[i];
    }
    return ce / double(n);
}

result<double> trainer::perplexity(std::span<const int32_t> tokens, int32_t n_ctx, int32_t max_chunks) {
    if (n_ctx > opt_.hp.n_ctx) return error{"perplexity context " + std::to_string(n_ctx) + " exceeds the model's"};
    auto plan = plan_perplexity(tokens.size(), n_ctx);
    if (!plan.ok()) return plan.err();
    const int32_t n_chunk = std::min(plan->n_chunk, max_chunks);
    const int64_t V = opt_.hp.n_vocab;
    std::vector<std::vector<double>> nll(static_cast<size_t>(n_chunk));
    pool_->run([&](int ith, int nth) {
        for (int32_t c = ith; c < n_chunk; c += nth) {
            // the chunk's n_ctx tokens: positions [0, n_ctx - 1) are evaluated, each
            // predicting the next; scored positions are [first, n_ctx - 1)
            const std::vector<int32_t> chunk = chunk_tokens(tokens, *plan, c, -1);
            seq_stats st;
            passes_[size_t(ith)]->forward(params_.data(), chunk, routing_options{}, 0, st);
            const auto& lg = passes_[size_t(ith)]->logits();
            for (int32_t i = plan->first; i < n_ctx - 1; ++i)
                nll[size_t(c)].push_back(negative_log_likelihood(
                    std::span<const float>(lg.data() + size_t(i) * size_t(V), size_t(V)), chunk[size_t(i + 1)]));
        }
    });
    perplexity_accumulator acc;
    for (const auto& v : nll)
        for (double x : v) acc.add(x);
    return acc.ppl();
}

result<void> trainer::save_checkpoint(const std::string& path) const {
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return error{"cannot write checkpoint " + tmp + ": " + std::strerror(errno)};
    const auto& hp = opt_.hp;
    const int64_t dims[10] = {hp.n_vocab, hp.n_ctx, hp.n_embd, hp.n_layer, hp.n_head,
                              hp.n_head_kv, hp.head_dim, hp.n_expert, hp.n_expert_used, hp.n_ff_exp};
    const uint64_t n = lay_.n_params;
    const bool has_moments = adam_.m.size() == n;
    bool okw = std::fwrite(k_magic, 1, 8, f) == 8 && std::fwrite(dims, sizeof dims, 1, f) == 1 &&
               std::fwrite(&adam_.t, sizeof adam_.t, 1, f) == 1 && std::fwrite(&n, sizeof n, 1, f) == 1 &&
               std::fwrite(params_.data(), sizeof(float), n, f) == n;
    const std::vector<float> zeros(has_moments ? 0 : n, 0.0f);
    const float* m = has_moments ? adam_.m.data() : zeros.data();
    const float* v = has_moments ? adam_.v.data() : zeros.data();
    okw = okw && std::fwrite(m, sizeof(float), n, f) == n && std::fwrite(v, sizeof(float), n, f) == n;
    okw = (std::fclose(f) == 0) && okw;
    if (!okw || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return error{"writing checkpoint " + path + " failed"};
    }
    return ok();
}

result<void> trainer::load_checkpoint(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return error{"cannot open checkpoint " + path + ": " + std::strerror(errno)};
    char magic[8];
    int64_t dims[10], t = 0;
    uint64_t n = 0;
    bool okr = std::fread(magic, 1, 8, f) == 8 && std::memcmp(magic, k_magic, 8) == 0 &&
               std::fread(dims, sizeof dims, 1, f) == 1 && std::fread(&t, sizeof t, 1, f) == 1 &&
               std::fread(&n, sizeof n, 1, f) == 1;
    const auto& hp = opt_.hp;
    const int64_t want[10] = {hp.n_vocab, hp.n_ctx, hp.n_embd, hp.n_layer, hp.n_head,
                              hp.n_head_kv, hp.head_dim, hp.n_expert, hp.n_expert_used, hp.n_ff_exp};
    if (!okr) {
        std::fclose(f);
        return error{path + ": not a holo train checkpoint (bad header)"};
    }
    if (std::memcmp(dims, want, sizeof dims) != 0 || n != lay_.n_params) {
        std::fclose(f);
        return error{path + ": checkpoint dimensions differ from the options given"};
    }
    std::vector<float> p(n), m(n), v(n);
    okr = std::fread(p.data(), sizeof(float), n, f) == n && std::fread(m.data(), sizeof(float), n, f) == n &&
          std::fread(v.data(), sizeof(float), n, f) == n;
    std::fclose(f);
    if (!okr) return error{path + ": checkpoint is truncated"};
    params_ = std::move(p);
    adam_.m = std::move(m);
    adam_.v = std::move(v);
    adam_.t = t;
    return ok();
}

}  // namespace holo
