// The engine's model lifecycle: loading a model with its slots on first use (evicting
// the least recently used idle one past --max-loaded-models), unloading after
// keep_alive, and publishing what is loaded for /api/ps and /metrics.
#include <algorithm>

#include "core/thread_pool.h"
#include "server/engine_state.h"

namespace holo::server {

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
