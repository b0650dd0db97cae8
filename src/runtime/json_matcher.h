// Walks a json_grammar byte by byte: is this text a prefix of a document the
// grammar accepts, is it a whole one, and how many bytes does it still need at
// least. A pushdown matcher (one stack of frames per live anyOf branch, at most
// k_max_branches of them), so each byte costs O(stack) and nothing backtracks.
// Whitespace between JSON tokens is allowed but bounded (k_max_ws_run bytes in a
// row), so a model cannot pad forever; none after the document.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/json_schema.h"

namespace holo {

class json_matcher {
public:
    static constexpr int k_max_ws_run = 8;
    static constexpr size_t k_max_branches = 32;
    static constexpr size_t k_max_stack = 2 * k_json_schema_max_depth + 6;
    static constexpr int k_max_int_digits = 15, k_max_frac_digits = 15, k_max_exp_digits = 2;

    explicit json_matcher(std::shared_ptr<const json_grammar> g);

    // Consumes bytes if the result is still a viable prefix; else returns false
    // and leaves the state as it was.
    bool feed(std::string_view bytes);
    bool accepts(std::string_view bytes) const;
    // min_remaining() after feeding bytes, or -1 when they are not viable; the
    // state is unchanged. The sampler's per-token check (no copy of the matcher).
    int64_t remaining_after(std::string_view bytes) const;
    // The text so far is a whole document (an end of generation here is fine).
    bool complete() const;
    // Some further byte is accepted (false once an object closes the document).
    bool can_continue() const;
    // The fewest bytes that still complete the document (0 when complete).
    size_t min_remaining() const;
    // Inside the literal prefix/suffix: special tokens that spell it are fine there.
    bool in_affix() const;
    bool dead() const { return threads_.empty(); }

    struct frame {
        uint8_t type = 0, stage = 0;
        int32_t node = -1;
        int32_t a = 0, b = 0, c = 0;
        uint64_t mask = 0;
        bool operator==(const frame&) const = default;
    };
    struct thread {
        std::vector<frame> stack;
        int ws_run = 0;
        bool operator==(const thread&) const = default;
    };

private:
    void feed_thread(thread t, uint8_t c, std::vector<thread>& out) const;
    bool step(thread& t, uint8_t c, std::vector<thread>& out) const;
    void child_done(thread& t) const;
    bool thread_complete(thread t) const;
    size_t thread_remaining(const thread& t) const;
    size_t rest_after(const schema_node& n, int32_t next) const;
    const std::vector<std::string>& literal_list(int32_t node) const;

    std::shared_ptr<const json_grammar> g_;
    std::vector<thread> threads_;
};

}  // namespace holo
