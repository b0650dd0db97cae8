// Tool calls while the reply streams: text passes through as content until the
// model starts a call in its family's form (tool_calls.h), then each call goes out
// as it is written — its name as soon as it is known, then its arguments' JSON text
// piece by piece, as OpenAI's delta.tool_calls carry them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "server/tool_calls.h"

namespace holo::server {

struct tool_call_delta {
    size_t index = 0;
    std::string name;       // on the call's first piece only (a call's name is never empty)
    std::string arguments;  // the next piece of the arguments' JSON text
};

struct stream_piece {
    std::string content;  // text that is not a call, sendable now
    std::vector<tool_call_delta> calls;
};

class tool_call_stream {
public:
    explicit tool_call_stream(tool_format f = tool_format::hermes) : format_(f) {}
    // The model's format, when it is known only once the request has started.
    void set_format(tool_format f) { format_ = f; }

    stream_piece push(const std::string& text);
    // What was held back. A capture that never became a call (no name, bad JSON)
    // comes back here as content, whole.
    stream_piece finish();

    // Every call so far, whole (for APIs that send calls whole, like Ollama's).
    const std::vector<tool_call>& calls() const { return calls_; }
    // A call was cut off mid-way (the token limit).
    bool call_unfinished() const;

private:
    // Where the reader is in the family's form:
    //   hermes   <tool_call> {object} </tool_call>, repeated
    //   mistral  [TOOL_CALLS] [ {object}, ... ]
    //   llama3   <|python_tag|> {object}
    enum class phase { content, open_tag, before_object, in_object, after_object, between, done, failed };
    enum class member { key, in_key, colon, value_start, value };  // inside the call object
    enum class match { yes, no, wait };

    void pass_content(stream_piece& out);  // content phase: send what cannot start a call
    void scan(stream_piece& out);          // advances scan_ as far as the text allows
    match literal(std::string_view lit);   // at scan_; consumed when yes
    void object_char(char c, stream_piece& out);
    void value_ended(size_t end, stream_piece& out);
    void object_ended(stream_piece& out);
    void emit(stream_piece& out, bool first, const std::string& args);
    void fail();

    tool_format format_;
    phase phase_ = phase::content;
    std::string held_;  // from the start of the capture (or unsent content)
    size_t scan_ = 0;
    size_t fail_at_ = 0;
    bool failed_in_object_ = false;
    bool sent_content_ = false;
    bool tag_seen_ = false;  // mistral, llama3: the optional opening tag was read

    // The call object being read.
    member member_ = member::key;
    int depth_ = 0;
    bool in_string_ = false, escape_ = false;
    std::string key_, name_;
    size_t value_start_ = 0;
    bool name_known_ = false, args_seen_ = false;
    bool streaming_args_ = false;
    size_t args_sent_ = 0;      // held_ offset up to which streamed arguments went out
    std::string pending_args_;  // arguments read before the name

    std::vector<tool_call> calls_;  // as sent so far
};

}  // namespace holo::server
