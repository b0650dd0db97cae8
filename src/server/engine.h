// The one thread that drives the models. HTTP threads submit generation tasks and
// read their results through task_channel; only this thread loads models, builds
// prompts, evaluates and samples. Each loaded model has --parallel slots (a KV
// cache each); every step, each busy slot advances once: prompt chunks per slot,
// and all decoding slots together in one forward_multi pass (each weight read
// once for all of them). Waiting tasks take free slots in arrival order, and past max_queue
// waiting tasks new ones are refused (503). A slot keeps its tokens so the next
// prompt that shares a prefix skips it; a cancelled task frees its slot at the
// next step. Models load on demand and unload after their keep_alive.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "server/metrics.h"
#include "server/request.h"
#include "server/task_channel.h"

namespace holo {
class thread_pool;
}

namespace holo::server {

struct engine_options {
    int n_parallel = 1;               // slots per loaded model
    int64_t n_ctx = 0;                // per slot; 0: the model's, at most 4096
    int n_threads = 0;                // per slot; 0: all hardware threads
    int64_t n_batch = 256;            // prompt tokens per step (bounds how long one step holds others)
    size_t max_queue = 64;            // waiting tasks past which submit() refuses
    double default_keep_alive_s = 300;
    int max_loaded_models = 1;
};

// A model the store (or the command line) resolved from a request's name.
struct model_ref {
    std::string name;    // canonical, e.g. "tiny:latest"
    std::string path;    // the GGUF file
    std::string digest;  // "sha256:..." or empty for files outside the store
    uint64_t size = 0;
};

// What /api/ps shows.
struct loaded_model_info {
    model_ref ref;
    std::string architecture;
    int64_t n_ctx = 0;
    int n_slots = 0, n_busy = 0;
    std::chrono::system_clock::time_point expires_at;  // max() for never
};

class engine {
public:
    engine(const engine_options& opts, metrics& m);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Queues a generation. `load_only`: just load (or, with keep_alive 0, unload)
    // the model and report done with finish "load" / "unload".
    // Errors: the queue is full (→ 503).
    result<std::shared_ptr<task_channel>> submit(gen_request req, model_ref ref, bool load_only = false);

    std::vector<loaded_model_info> loaded() const;
    const engine_options& options() const { return opts_; }

private:
    struct task;
    struct slot;
    struct loaded_model;

    void run();
    void intake();
    bool ensure_loaded(task& t);
    void prepare(task& t);
    void embed(task& t);
    void admit();
    void step_model(loaded_model& lm);
    // Samples the slot's next token and emits its text; false when the task ended.
    bool sample_next(slot& s, int32_t& id);
    void fail_slot(slot& s, const std::string& msg);
    void finish(slot& s, const std::string& reason);
    void expire_idle();
    void publish_loaded();
    loaded_model* find_loaded(const std::string& path);

    engine_options opts_;
    metrics& metrics_;

    mutable std::mutex mutex_;  // guards incoming_, stop_, loaded_info_
    std::condition_variable cv_;
    std::deque<std::shared_ptr<task>> incoming_;
    size_t n_waiting_shared_ = 0;  // incoming + waiting, for the queue limit
    bool stop_ = false;
    std::vector<loaded_model_info> loaded_info_;

    // Engine-thread state only.
    std::deque<std::shared_ptr<task>> waiting_;
    std::vector<std::unique_ptr<loaded_model>> models_;
    std::unique_ptr<thread_pool> pool_;
    std::vector<float> multi_logits_;  // [n_vocab, n_decoding]
    std::thread thread_;
};

}  // namespace holo::server
