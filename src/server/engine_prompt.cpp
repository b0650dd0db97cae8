// The engine's request preparation: tokenizing a task's prompt (chat template, tools,
// constraints) as soon as it arrives, so bad requests are answered without waiting for
// a slot, and embedding requests, which need no slot.
#include <algorithm>
#include <cmath>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "server/engine_state.h"
#include "server/tool_calls.h"

namespace holo::server {

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

}  // namespace holo::server
