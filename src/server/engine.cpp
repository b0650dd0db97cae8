#include "server/engine.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/forward_multi.h"
#include "model/kv_cache.h"
#include "runtime/constrained_pick.h"
#include "runtime/json_matcher.h"
#include "runtime/sampler.h"
#include "runtime/stop_matcher.h"
#include "server/chat_prompt.h"
#include "server/tool_calls.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

namespace holo::server {

using clock_type = std::chrono::steady_clock;

namespace {
double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}
}  // namespace

struct engine::loaded_model {
    model_ref ref;
    std::shared_ptr<const model> m;
    std::unique_ptr<tokenizer> tok;
    prompt_builder prompts;
    std::unique_ptr<vocab_bytes> vocab;  // each token's bytes: built for the first constrained request
    std::vector<std::unique_ptr<slot>> slots;
    double keep_alive_s = 300;
    clock_type::time_point last_used = clock_type::now();

    bool busy() const;
};

struct engine::task {
    gen_request req;
    model_ref ref;
    bool load_only = false;
    std::shared_ptr<task_channel> ch;
    clock_type::time_point t_submit = clock_type::now();

    // Filled by prepare().
    bool prepared = false;
    loaded_model* lm = nullptr;
    std::vector<int32_t> prompt;
    int64_t ctx_limit = 0;
    double load_s = 0;
    std::shared_ptr<const json_grammar> grammar;  // the reply must match (response_format, forced tool call)
    std::string tool_format;                      // tools in play: the model's call format
};

struct engine::slot {
    std::unique_ptr<kv_cache> kv;
    std::vector<float> logits;   // [n_vocab]: the last evaluated position's
    std::vector<int32_t> cache;  // the tokens whose K/V the cache holds, in order
    std::shared_ptr<task> t;     // null: free

    // Per task.
    size_t prefill_pos = 0;
    int64_t n_cached = 0, n_gen = 0;
    std::unique_ptr<sampler> smp;
    utf8_stream utf8;
    std::unique_ptr<stop_matcher> stops;
    std::vector<float> biased;  // logits with logit_bias applied
    std::unique_ptr<json_matcher> matcher;  // constrained tasks: the reply so far
    std::vector<float> scratch;             // pick_constrained's
    clock_type::time_point t_start, t_prompt_done;
    double queue_s = 0;
    uint64_t seen_step = 0;  // decode_steps_total when its client was last seen connected
};

bool engine::loaded_model::busy() const {
    for (const auto& s : slots) {
        if (s->t) return true;
    }
    return false;
}

engine::engine(const engine_options& opts, metrics& m) : opts_(opts), metrics_(m) {
    opts_.n_parallel = std::max(1, opts_.n_parallel);
    opts_.max_loaded_models = std::max(1, opts_.max_loaded_models);
    if (opts_.n_threads <= 0) opts_.n_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    // One pool: the engine thread runs one forward pass at a time, whatever the slot count.
    pool_ = std::make_unique<thread_pool>(opts_.n_threads);
    thread_ = std::thread([this] { run(); });
}

engine::~engine() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

result<std::shared_ptr<task_channel>> engine::submit(gen_request req, model_ref ref, bool load_only) {
    auto t = std::make_shared<task>();
    t->req = std::move(req);
    t->ref = std::move(ref);
    t->load_only = load_only;
    t->ch = std::make_shared<task_channel>();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_) return error{"the server is shutting down"};
        if (n_waiting_shared_ >= opts_.max_queue) {
            metrics_.requests_rejected_queue_full++;
            return error{"server busy: " + std::to_string(n_waiting_shared_) +
                         " requests are already waiting for a slot; try again later"};
        }
        ++n_waiting_shared_;
        metrics_.queue_depth = int64_t(n_waiting_shared_);
        incoming_.push_back(t);
    }
    cv_.notify_all();
    return t->ch;
}

std::vector<loaded_model_info> engine::loaded() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return loaded_info_;
}

engine::loaded_model* engine::find_loaded(const std::string& path) {
    for (auto& lm : models_) {
        if (lm->ref.path == path) return lm.get();
    }
    return nullptr;
}

void engine::publish_loaded() {
    std::vector<loaded_model_info> info;
    int64_t n_slots = 0, n_busy = 0;
    uint64_t bytes = 0;
    for (const auto& lm : models_) {
        loaded_model_info i;
        i.ref = lm->ref;
        i.architecture = lm->m->hp().arch;
        i.n_ctx = lm->slots.empty() ? 0 : lm->slots[0]->kv->n_ctx();
        i.n_slots = int(lm->slots.size());
        for (const auto& s : lm->slots) i.n_busy += s->t ? 1 : 0;
        const auto now_sys = std::chrono::system_clock::now();
        if (lm->keep_alive_s < 0) {
            i.expires_at = std::chrono::system_clock::time_point::max();
        } else {
            const double left = lm->keep_alive_s - (lm->busy() ? 0.0 : seconds_since(lm->last_used));
            i.expires_at = now_sys + std::chrono::milliseconds(int64_t(std::max(0.0, left) * 1000));
        }
        n_slots += i.n_slots;
        n_busy += i.n_busy;
        bytes += lm->m->file().file_size();
        info.push_back(std::move(i));
    }
    metrics_.slots_total = n_slots;
    metrics_.slots_busy = n_busy;
    metrics_.models_loaded = int64_t(models_.size());
    metrics_.model_bytes_loaded = bytes;
    std::lock_guard<std::mutex> lock(mutex_);
    loaded_info_ = std::move(info);
}

void engine::run() {
    while (true) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            bool any_busy = false;
            for (const auto& lm : models_) any_busy = any_busy || lm->busy();
            if (!any_busy && incoming_.empty() && !stop_) {
                // Idle: wake for new work, or now and then to unload expired models.
                cv_.wait_for(lock, std::chrono::milliseconds(waiting_.empty() ? 500 : 50));
            }
            if (stop_) break;
        }
        intake();
        admit();
        for (auto& lm : models_) step_model(*lm);
        expire_idle();
        publish_loaded();
    }
    // Shutting down: tell everyone still waiting or generating.
    auto fail_task = [](task& t) {
        task_event e;
        e.kind = event_kind::error;
        e.status = 503;
        e.text = "the server is shutting down";
        t.ch->push(std::move(e));
    };
    for (auto& t : waiting_) fail_task(*t);
    for (auto& t : incoming_) fail_task(*t);
    for (auto& lm : models_) {
        for (auto& s : lm->slots) {
            if (s->t) fail_task(*s->t);
        }
    }
}

void engine::intake() {
    std::deque<std::shared_ptr<task>> fresh;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        fresh.swap(incoming_);
    }
    for (auto& t : fresh) waiting_.push_back(std::move(t));
    // Prepare what can be prepared now: tokenizing early lets the HTTP thread answer
    // 400 (or start its stream) without waiting for a slot.
    for (auto& t : waiting_) {
        if (!t->prepared && !t->ch->cancelled()) prepare(*t);
    }
}

bool engine::ensure_loaded(task& t) {
    if ((t.lm = find_loaded(t.ref.path))) return true;
    if (int(models_.size()) >= opts_.max_loaded_models) {
        // Unload the least recently used idle model, if any; else wait.
        loaded_model* lru = nullptr;
        for (auto& lm : models_) {
            bool wanted = false;  // a prepared waiting task points at it
            for (const auto& w : waiting_) wanted = wanted || w->lm == lm.get();
            if (!lm->busy() && !wanted && (!lru || lm->last_used < lru->last_used)) lru = lm.get();
        }
        if (!lru) return false;
        models_.erase(std::find_if(models_.begin(), models_.end(), [&](auto& p) { return p.get() == lru; }));
    }
    const auto t0 = clock_type::now();
    auto m = load_model(t.ref.path);
    task_event e;
    e.kind = event_kind::error;
    e.status = 500;
    if (!m.ok()) {
        e.text = "loading model '" + t.ref.name + "': " + m.message();
        t.ch->push(std::move(e));
        return false;
    }
    auto tok = tokenizer::from_gguf(m.value()->file());
    if (!tok.ok()) {
        e.text = "loading model '" + t.ref.name + "': tokenizer: " + tok.message();
        t.ch->push(std::move(e));
        return false;
    }
    auto pb = make_prompt_builder(m.value()->file(), *tok.value());
    if (!pb.ok()) {
        e.text = "loading model '" + t.ref.name + "': " + pb.message();
        t.ch->push(std::move(e));
        return false;
    }
    auto lm = std::make_unique<loaded_model>();
    lm->ref = t.ref;
    lm->m = std::move(m.value());
    lm->tok = std::move(tok.value());
    lm->prompts = std::move(pb.value());
    lm->keep_alive_s = opts_.default_keep_alive_s;
    int64_t n_ctx = opts_.n_ctx;
    if (n_ctx <= 0) {
        const int64_t train = lm->m->hp().n_ctx_train;
        n_ctx = train > 0 ? std::min<int64_t>(train, 4096) : 4096;
    }
    for (int i = 0; i < opts_.n_parallel; ++i) {
        auto s = std::make_unique<slot>();
        s->kv = std::make_unique<kv_cache>(*lm->m, n_ctx);
        // Touch every page now, as llama.cpp clears its KV buffer at start: the slots'
        // memory is part of the loaded model's footprint from the first moment, and
        // RSS after any number of requests is what it was once the model loaded.
        for (int64_t il = 0; il < s->kv->n_layer(); ++il) {
            std::fill_n(s->kv->k(il), n_ctx * s->kv->row_size(), 0.0f);
            std::fill_n(s->kv->v(il), n_ctx * s->kv->row_size(), 0.0f);
        }
        lm->slots.push_back(std::move(s));
    }
    t.load_s = seconds_since(t0);
    t.lm = lm.get();
    models_.push_back(std::move(lm));
    metrics_.model_loads_total++;
    return true;
}

void engine::prepare(task& t) {
    auto drop = [&](int status, std::string msg) {
        task_event e;
        e.kind = event_kind::error;
        e.status = status;
        e.text = std::move(msg);
        t.ch->push(std::move(e));
        t.ch->cancel();  // nothing more will come; admit() drops it
    };
    if (!ensure_loaded(t)) {
        if (!t.lm && int(models_.size()) < opts_.max_loaded_models) t.ch->cancel();  // load failed: error sent
        return;  // else: every loaded model is busy; try again next step
    }
    loaded_model& lm = *t.lm;
    lm.last_used = clock_type::now();
    if (t.req.keep_alive_s) lm.keep_alive_s = *t.req.keep_alive_s;
    if (t.load_only) {
        task_event e;
        e.kind = event_kind::done;
        e.stats.load_s = t.load_s;
        e.stats.total_s = seconds_since(t.t_submit);
        e.stats.finish = lm.keep_alive_s == 0 ? "unload" : "load";
        t.ch->push(std::move(e));
        t.ch->cancel();
        return;
    }
    const tokenizer& tok = *lm.tok;
    if (!t.req.embed_inputs.empty()) return embed(t);
    if (t.req.tools_active()) {
        const tool_format f = detect_tool_format(lm.prompts.tmpl->source());
        t.tool_format = tool_format_name(f);
        if (t.req.tool_choice == "required" || t.req.tool_choice == "function") {
            auto g = forced_call_grammar(f, t.req.tools, t.req.tool_name);
            if (!g.ok()) return drop(400, g.message());
            t.grammar = g.value();
        }
    }
    if (t.req.constraint) t.grammar = t.req.constraint;
    if (t.grammar && !lm.vocab) lm.vocab = std::make_unique<vocab_bytes>(make_vocab_bytes(tok));
    if (t.req.chat) {
        auto p = build_chat_prompt(lm.prompts, tok, t.req.messages,
                                   t.req.tools_active() ? t.req.tools : nlohmann::ordered_json());
        if (!p.ok()) return drop(400, p.message());
        t.prompt = std::move(p.value());
    } else if (t.req.use_template) {
        // Ollama's generate wraps the prompt in the template as a user turn.
        nlohmann::json msgs = nlohmann::json::array();
        if (!t.req.system.empty()) msgs.push_back({{"role", "system"}, {"content", t.req.system}});
        msgs.push_back({{"role", "user"}, {"content", t.req.prompt}});
        auto p = build_chat_prompt(lm.prompts, tok, msgs);
        if (!p.ok()) return drop(400, p.message());
        t.prompt = std::move(p.value());
    } else {
        t.prompt = build_text_prompt(tok, t.req.prompt);
    }
    if (t.prompt.empty()) return drop(400, "the prompt is empty (it tokenizes to nothing)");
    for (const auto& [id, bias] : t.req.logit_bias) {
        if (id < 0 || id >= tok.n_vocab()) {
            return drop(400, "logit_bias names token " + std::to_string(id) + ", outside the vocabulary [0, " +
                                 std::to_string(tok.n_vocab()) + ")");
        }
    }
    const int64_t slot_ctx = lm.slots[0]->kv->n_ctx();
    t.ctx_limit = t.req.num_ctx > 0 ? std::min(t.req.num_ctx, slot_ctx) : slot_ctx;
    if (int64_t(t.prompt.size()) >= t.ctx_limit) {
        return drop(400, "the prompt is " + std::to_string(t.prompt.size()) + " tokens but the context is " +
                             std::to_string(t.ctx_limit) + " (prompt plus at least one generated token must fit)");
    }
    if (!t.req.seed_given) t.req.sampling.seed = std::random_device{}();
    t.prepared = true;
    task_event e;
    e.kind = event_kind::started;
    e.stats.n_prompt = int64_t(t.prompt.size());
    e.stats.load_s = t.load_s;
    e.stats.tool_format = t.tool_format;
    t.ch->push(std::move(e));
}

void engine::embed(task& t) {
    // Mean of the final normed hidden states over the input's tokens, L2-normalized
    // (read through the forward pass's "result_norm" hook). Runs here, between
    // steps, in a cache of its own: slots keep their prefixes.
    loaded_model& lm = *t.lm;
    task_event done;
    done.kind = event_kind::done;
    const int64_t n_embd = lm.m->hp().n_embd;
    const int64_t max_tokens = lm.slots[0]->kv->n_ctx();
    for (const auto& text : t.req.embed_inputs) {
        std::vector<int32_t> ids = lm.tok->encode(text, true, false);
        if (ids.empty() || int64_t(ids.size()) > max_tokens) {
            task_event e;
            e.kind = event_kind::error;
            e.status = 400;
            e.text = "an input is " + std::to_string(ids.size()) + " tokens; embeddings take 1 to " +
                     std::to_string(max_tokens) + " (the context)";
            t.ch->push(std::move(e));
            t.ch->cancel();
            return;
        }
        std::vector<double> sum(size_t(n_embd), 0.0);
        int64_t rows = 0;
        tensor_callback hook = [&](std::string_view name, int64_t, int64_t n_tokens, int64_t row_len, const float* data) {
            if (name != "result_norm" || row_len != n_embd) return;
            for (int64_t r = 0; r < n_tokens; ++r)
                for (int64_t i = 0; i < n_embd; ++i) sum[size_t(i)] += data[r * n_embd + i];
            rows += n_tokens;
        };
        kv_cache kv(*lm.m, int64_t(ids.size()));
        std::vector<float> logits;
        auto r = forward(*lm.m, kv, ids, 0, true, logits, *pool_, &hook);
        if (!r.ok() || rows != int64_t(ids.size())) {
            task_event e;
            e.kind = event_kind::error;
            e.status = 500;
            e.text = "embedding: " + (r.ok() ? std::string("the forward pass gave no hidden states") : r.message());
            t.ch->push(std::move(e));
            t.ch->cancel();
            return;
        }
        double norm = 0;
        for (double& v : sum) {
            v /= double(rows);
            norm += v * v;
        }
        norm = std::sqrt(norm);
        std::vector<float> out(static_cast<size_t>(n_embd));
        for (size_t i = 0; i < out.size(); ++i) out[i] = float(norm > 0 ? sum[i] / norm : 0.0);
        done.embeddings.push_back(std::move(out));
        done.stats.n_prompt += int64_t(ids.size());
    }
    done.stats.load_s = t.load_s;
    done.stats.total_s = seconds_since(t.t_submit);
    done.stats.finish = "stop";
    metrics_.prompt_tokens_total += uint64_t(done.stats.n_prompt);
    t.ch->push(std::move(done));
    t.ch->cancel();  // finished: admit() drops it from the queue
}

void engine::admit() {
    auto leave_queue = [&] {
        std::lock_guard<std::mutex> lock(mutex_);
        --n_waiting_shared_;
        metrics_.queue_depth = int64_t(n_waiting_shared_);
    };
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        task& t = **it;
        if (t.ch->client_left(std::chrono::milliseconds(100))) {  // a queued client that left: drop it
            leave_queue();
            it = waiting_.erase(it);
            continue;
        }
        if (!t.prepared) {
            ++it;
            continue;
        }
        // The free slot that shares the longest prefix with this prompt.
        slot* best = nullptr;
        size_t best_common = 0;
        for (auto& s : t.lm->slots) {
            if (s->t) continue;
            size_t n = 0;
            while (n < s->cache.size() && n < t.prompt.size() && s->cache[n] == t.prompt[n]) ++n;
            if (!best || n > best_common) {
                best = s.get();
                best_common = n;
            }
        }
        if (!best) {
            ++it;
            continue;
        }
        // At least one prompt token must be evaluated to have logits to sample from.
        const size_t keep = std::min(best_common, t.prompt.size() - 1);
        best->kv->truncate(int64_t(keep));
        best->cache.resize(keep);
        best->t = *it;
        best->prefill_pos = keep;
        best->n_cached = int64_t(keep);
        best->n_gen = 0;
        best->smp = std::make_unique<sampler>(t.req.sampling);
        for (int32_t id : t.prompt) best->smp->accept(id);
        best->utf8 = utf8_stream();
        best->stops = std::make_unique<stop_matcher>(t.req.stop);
        best->matcher = t.grammar ? std::make_unique<json_matcher>(t.grammar) : nullptr;
        best->t_start = clock_type::now();
        best->queue_s = seconds_since(t.t_submit);
        best->seen_step = metrics_.decode_steps_total;
        t.lm->last_used = clock_type::now();
        leave_queue();
        it = waiting_.erase(it);
    }
}

void engine::fail_slot(slot& sl, const std::string& msg) {
    task_event e;
    e.kind = event_kind::error;
    e.status = 500;
    e.text = msg;
    sl.t->ch->push(std::move(e));
    sl.kv->clear();
    sl.cache.clear();
    sl.t.reset();
}

void engine::step_model(loaded_model& lm) {
    // Prompt chunks run per slot; the slots that decode share one forward pass.
    std::vector<std::pair<slot*, int32_t>> decode;
    for (auto& sp : lm.slots) {
        slot& sl = *sp;
        if (!sl.t) continue;
        task& t = *sl.t;
        // Asked before each step: a client gone since the last one frees its slot
        // now, so it took part in at most the step that was running when it left.
        if (t.ch->client_left()) {
            metrics_.observe_cancel_steps(metrics_.decode_steps_total - sl.seen_step);
            metrics_.last_cancel_step = metrics_.decode_steps_total.load();
            metrics_.generations_cancelled++;  // after: a reader that sees it sees the step too
            finish(sl, "cancelled");
            continue;
        }
        sl.seen_step = metrics_.decode_steps_total;
        if (sl.prefill_pos < t.prompt.size()) {
            const size_t n = std::min(t.prompt.size() - sl.prefill_pos, size_t(std::max<int64_t>(1, opts_.n_batch)));
            std::span<const int32_t> chunk(t.prompt.data() + sl.prefill_pos, n);
            auto r = forward(*lm.m, *sl.kv, chunk, sl.kv->n_pos(), false, sl.logits, *pool_);
            if (!r.ok()) {
                fail_slot(sl, "evaluating the prompt: " + r.message());
                continue;
            }
            sl.cache.insert(sl.cache.end(), chunk.begin(), chunk.end());
            sl.prefill_pos += n;
            if (sl.prefill_pos == t.prompt.size()) sl.t_prompt_done = clock_type::now();
            continue;
        }
        int32_t id = 0;
        if (sample_next(sl, id)) decode.emplace_back(&sl, id);
    }
    if (decode.empty()) return;
    metrics_.decode_steps_total++;
    metrics_.decode_step_tokens_total += decode.size();
    if (decode.size() > 1 && lm.m->rope_freqs().empty()) {
        std::vector<sequence_step> steps;
        for (auto& [sl, id] : decode) steps.push_back({sl->kv.get(), id});
        auto r = forward_multi(*lm.m, steps, multi_logits_, *pool_);
        if (r.ok()) {
            const size_t n_vocab = size_t(lm.m->hp().n_vocab);
            for (size_t i = 0; i < decode.size(); ++i) {
                slot& sl = *decode[i].first;
                sl.logits.assign(multi_logits_.begin() + int64_t(i * n_vocab),
                                 multi_logits_.begin() + int64_t((i + 1) * n_vocab));
                sl.cache.push_back(decode[i].second);
            }
            return;
        }
        // Refused as a whole (nothing changed): fall through to one pass per slot.
    }
    for (auto& [sl, id] : decode) {
        const int32_t one[1] = {id};
        auto r = forward(*lm.m, *sl->kv, one, sl->kv->n_pos(), false, sl->logits, *pool_);
        if (!r.ok()) {
            fail_slot(*sl, "decoding: " + r.message());
            continue;
        }
        sl->cache.push_back(id);
    }
}

bool engine::sample_next(slot& sl, int32_t& id_out) {
    task& t = *sl.t;
    const tokenizer& tok = *t.lm->tok;
    std::span<const float> logits = sl.logits;
    if (!t.req.logit_bias.empty()) {
        sl.biased.assign(logits.begin(), logits.end());
        for (const auto& [id, bias] : t.req.logit_bias) {
            sl.biased[size_t(id)] = bias <= -100 ? -INFINITY : sl.biased[size_t(id)] + bias;
        }
        logits = sl.biased;
    }
    int32_t id = 0;
    if (sl.matcher) {
        // Tokens left for this reply: the request's limit and the context's.
        int64_t budget = t.ctx_limit - sl.kv->n_pos();
        if (t.req.max_tokens >= 0) budget = std::min(budget, t.req.max_tokens - sl.n_gen);
        const constrained_choice c = pick_constrained(*sl.smp, logits, *sl.matcher, *t.lm->vocab, budget, sl.scratch);
        if (c.id < 0) {
            fail_slot(sl, "constrained decoding: no token of the vocabulary continues the JSON reply");
            return false;
        }
        id = c.id;
        if (!c.end) sl.matcher->feed(t.lm->vocab->piece[size_t(id)]);
    } else {
        id = sl.smp->sample(logits);
    }
    sl.smp->accept(id);
    if (tok.is_end_of_generation(id)) {
        finish(sl, "stop");
        return false;
    }
    ++sl.n_gen;
    // Control tokens (<|im_start|>, padding, ...) are counted but not shown, as llama.cpp's server does.
    const std::string text = tok.is_control(id) ? std::string() : sl.stops->push(sl.utf8.push(tok.token_to_piece(id)));
    if (!text.empty()) {
        task_event e;
        e.kind = event_kind::text;
        e.text = text;
        t.ch->push(std::move(e));
    }
    if (sl.stops->stopped() || (sl.matcher && sl.matcher->complete() && !sl.matcher->can_continue())) {
        finish(sl, "stop");  // a whole document needs no end token
        return false;
    }
    if (t.req.max_tokens >= 0 && sl.n_gen >= t.req.max_tokens) {
        finish(sl, "length");
        return false;
    }
    if (sl.kv->n_pos() >= t.ctx_limit) {
        finish(sl, "length");
        return false;
    }
    id_out = id;
    return true;
}

void engine::finish(slot& sl, const std::string& reason) {
    task& t = *sl.t;
    if (reason != "cancelled" && !sl.stops->stopped()) {
        std::string rest = sl.stops->push(sl.utf8.finish());
        rest += sl.stops->flush();
        if (!rest.empty()) {
            task_event e;
            e.kind = event_kind::text;
            e.text = std::move(rest);
            t.ch->push(std::move(e));
        }
    }
    const auto now = clock_type::now();
    const bool prompt_done = sl.prefill_pos == t.prompt.size();
    task_event e;
    e.kind = event_kind::done;
    gen_stats& st = e.stats;
    st.n_prompt = int64_t(t.prompt.size());
    st.n_cached = sl.n_cached;
    st.n_gen = sl.n_gen;
    st.load_s = t.load_s;
    st.queue_s = sl.queue_s;
    st.prompt_s = std::chrono::duration<double>((prompt_done ? sl.t_prompt_done : now) - sl.t_start).count();
    st.gen_s = prompt_done ? std::chrono::duration<double>(now - sl.t_prompt_done).count() : 0.0;
    st.total_s = std::chrono::duration<double>(now - t.t_submit).count();
    st.finish = reason;
    st.tool_format = t.tool_format;
    metrics_.generations_total++;
    metrics_.prompt_tokens_total += uint64_t(st.n_prompt);
    metrics_.prompt_tokens_cached_total += uint64_t(st.n_cached);
    metrics_.generated_tokens_total += uint64_t(st.n_gen);
    metrics_.prompt_eval_us_total += uint64_t(st.prompt_s * 1e6);
    metrics_.gen_us_total += uint64_t(st.gen_s * 1e6);
    t.ch->push(std::move(e));
    t.lm->last_used = now;
    sl.t.reset();
}

void engine::expire_idle() {
    for (auto it = models_.begin(); it != models_.end();) {
        loaded_model& lm = **it;
        bool wanted = false;  // a waiting task still needs it
        for (const auto& t : waiting_) wanted = wanted || t->lm == &lm;
        if (!lm.busy() && !wanted && lm.keep_alive_s >= 0 && seconds_since(lm.last_used) >= lm.keep_alive_s) {
            it = models_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace holo::server
