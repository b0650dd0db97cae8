// libFuzzer target for the chat-template engine: any bytes as template source are
// parsed and, when they parse, rendered over a conversation with tools and tool
// calls. Errors are fine; a crash, a hang past the caps, a leak or an allocation
// over the fuzzer's limit is a finding. Caps are lowered so each input stays fast.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenizer/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using json = nlohmann::ordered_json;
    static const json messages = json::parse(R"([
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi <|im_start|> {{ x }}"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"type": "function", "function": {"name": "add", "arguments": {"a": 1, "b": 2}}}]},
        {"role": "tool", "content": "3"},
        {"role": "assistant", "content": "<think>\nok\n</think>\n\nIt is 3."}
    ])");
    static const json tools = json::parse(R"([{"type": "function", "function": {"name": "add",
        "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}])");

    std::string_view source(reinterpret_cast<const char*>(data), size);
    auto tmpl = holo::chat_template::parse(source, 64);
    if (!tmpl.ok()) return 0;
    holo::render_options opts;
    opts.add_generation_prompt = size % 2 == 0;
    opts.bos_token = "<s>";
    opts.eos_token = "</s>";
    opts.tools = tools;
    opts.limits.max_iterations = 20'000;
    opts.limits.max_call_depth = 16;
    opts.limits.max_output_bytes = 1u << 20;
    opts.limits.max_total_bytes = 16u << 20;
    auto out = tmpl->render_json(messages, opts);
    (void)out;
    return 0;
}
