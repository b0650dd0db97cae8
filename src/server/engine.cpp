#include "server/engine.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/forward_multi.h"
#include "server/engine_state.h"
#include "server/tool_calls.h"

namespace holo::server {

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

}  // namespace holo::server
