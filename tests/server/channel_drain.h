// Test helper for the server engine's tests: reads a task_channel to the end (the
// text, then done or error), bounded in time so a stuck engine fails the test
// instead of hanging it.
#pragma once

#include <chrono>
#include <string>

#include "server/task_channel.h"

namespace holo::server::test_support {

struct outcome {
    bool ok = false;  // ended with done
    int status = 0;   // the error's HTTP status
    std::string text, error;
    gen_stats stats;
};

inline outcome drain(task_channel& ch, std::chrono::seconds limit) {
    using namespace std::chrono_literals;
    outcome o;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    task_event e;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!ch.pop(e, 100ms)) continue;
        if (e.kind == event_kind::text) o.text += e.text;
        if (e.kind == event_kind::error) {
            o.status = e.status;
            o.error = e.text;
            return o;
        }
        if (e.kind == event_kind::done) {
            o.ok = true;
            o.stats = e.stats;
            return o;
        }
    }
    o.error = "timed out";
    return o;
}

}  // namespace holo::server::test_support
