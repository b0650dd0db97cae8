#include "server/tool_call_stream.h"

#include <nlohmann/json.hpp>

namespace holo::server {
namespace {

// The marker that may start a call anywhere in the reply (none for llama3, whose
// call is the whole reply).
std::string_view anywhere_marker(tool_format f) {
    switch (f) {
        case tool_format::hermes: return k_hermes_open;
        case tool_format::mistral: return k_mistral_tag;
        default: return {};
    }
}

}  // namespace

stream_piece tool_call_stream::push(const std::string& text) {
    stream_piece out;
    held_ += text;
    if (phase_ == phase::content) pass_content(out);
    if (phase_ != phase::content) scan(out);
    if (streaming_args_ && scan_ > args_sent_) {
        emit(out, false, held_.substr(args_sent_, scan_ - args_sent_));
        args_sent_ = scan_;
    }
    return out;
}

stream_piece tool_call_stream::finish() {
    stream_piece out;
    if (phase_ == phase::content) {
        out.content = std::move(held_);
    } else if (calls_.empty()) {
        // Nothing went out as a call: the whole-text parser decides, so a capture
        // that was no call (llama3's bare JSON answer) comes back as content.
        parsed_reply r = parse_tool_calls(format_, held_);
        out.content = std::move(r.content);
        for (auto& c : r.calls) {
            out.calls.push_back({calls_.size(), c.name, c.arguments});
            calls_.push_back(std::move(c));
        }
    } else if (phase_ == phase::failed) {
        // Calls already went out; what came after them is not lost.
        out.content = std::string(trim_json_space(std::string_view(held_).substr(fail_at_)));
    }
    held_.clear();
    return out;
}

bool tool_call_stream::call_unfinished() const {
    return !calls_.empty() && (phase_ == phase::in_object || (phase_ == phase::failed && failed_in_object_));
}

void tool_call_stream::pass_content(stream_piece& out) {
    const std::string_view marker = anywhere_marker(format_);
    if (!marker.empty()) {
        if (size_t at = held_.find(marker); at != std::string::npos) {
            out.content += held_.substr(0, at);
            held_.erase(0, at);
            phase_ = phase::open_tag;
            return;
        }
    }
    if (!sent_content_) {
        // At the very start, mistral's bare array and llama3's object open a call.
        const size_t first = held_.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) return;
        const std::string_view lt = std::string_view(held_).substr(first);
        const bool opens = format_ == tool_format::mistral ? lt[0] == '['
                           : format_ == tool_format::llama3 ? lt[0] == '{' || lt.starts_with(k_python_tag)
                                                            : false;
        if (opens) {
            phase_ = phase::open_tag;
            return;
        }
        if (format_ == tool_format::llama3 && lt.size() < k_python_tag.size() && k_python_tag.starts_with(lt)) return;
    }
    // Hold back a tail that may be the start of the marker.
    size_t keep = 0;
    for (size_t n = std::min(marker.empty() ? 0 : marker.size() - 1, held_.size()); n > 0; --n) {
        if (held_.compare(held_.size() - n, n, marker.substr(0, n)) == 0) {
            keep = n;
            break;
        }
    }
    out.content += held_.substr(0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    if (!out.content.empty()) sent_content_ = true;
}

tool_call_stream::match tool_call_stream::literal(std::string_view lit) {
    const size_t n = std::min(held_.size() - scan_, lit.size());
    if (held_.compare(scan_, n, lit.data(), n) != 0) return match::no;
    if (n < lit.size()) return match::wait;
    scan_ += lit.size();
    return match::yes;
}

void tool_call_stream::fail() {
    fail_at_ = scan_;
    failed_in_object_ = phase_ == phase::in_object;
    phase_ = phase::failed;
    streaming_args_ = false;
}

void tool_call_stream::scan(stream_piece& out) {
    while (scan_ < held_.size() && phase_ != phase::failed) {
        const char c = held_[scan_];
        if (phase_ == phase::in_object) {
            object_char(c, out);
            continue;
        }
        if (is_json_space(c)) {
            ++scan_;
            continue;
        }
        match m = match::yes;
        switch (phase_) {
            case phase::open_tag:
                if (format_ == tool_format::hermes) {
                    m = literal(k_hermes_open);
                    if (m == match::yes) phase_ = phase::before_object;
                } else if (format_ == tool_format::mistral) {
                    m = tag_seen_ || c != '[' ? match::no : literal(k_mistral_tag);
                    if (m == match::yes) {
                        tag_seen_ = true;
                    } else if (m == match::no && c == '[') {
                        ++scan_;
                        phase_ = phase::before_object;
                        m = match::yes;
                    }
                } else if (!tag_seen_ && c == '<') {
                    m = literal(k_python_tag);
                    tag_seen_ = m == match::yes;
                } else {
                    phase_ = phase::before_object;
                }
                break;
            case phase::before_object:
                if (c != '{') {
                    m = match::no;
                    break;
                }
                ++scan_;
                phase_ = phase::in_object;
                member_ = member::key;
                depth_ = 1;
                in_string_ = escape_ = false;
                name_known_ = args_seen_ = streaming_args_ = false;
                name_.clear();
                pending_args_.clear();
                break;
            case phase::after_object:
                if (format_ == tool_format::hermes) {
                    m = literal(k_hermes_close);
                    if (m == match::yes) phase_ = phase::between;
                } else if (format_ == tool_format::mistral) {
                    m = c == ',' || c == ']' ? match::yes : match::no;
                    if (m == match::yes) phase_ = c == ',' ? phase::before_object : phase::done;
                    scan_ += m == match::yes;
                } else {
                    m = match::no;  // llama3 writes one call, then nothing
                }
                break;
            case phase::between:  // hermes: another call, or nothing
                phase_ = phase::open_tag;
                break;
            default:  // done: nothing may follow
                m = match::no;
                break;
        }
        if (m == match::wait) return;
        if (m == match::no) fail();
    }
}

// One character of the call object: {"name": "...", "arguments": {...}} in any
// order, other members ignored (as parse_tool_calls does).
void tool_call_stream::object_char(char c, stream_piece& out) {
    switch (member_) {
        case member::key:
            if (c == '"') {
                member_ = member::in_key;
                key_.clear();
            } else if (c == '}') {
                ++scan_;
                object_ended(out);
                return;
            } else if (!is_json_space(c)) {
                return fail();
            }
            break;
        case member::in_key:
            if (escape_) {
                escape_ = false;
            } else if (c == '\\') {
                escape_ = true;
            } else if (c == '"') {
                member_ = member::colon;
                break;
            }
            key_ += c;
            break;
        case member::colon:
            if (c == ':') {
                member_ = member::value_start;
            } else if (!is_json_space(c)) {
                return fail();
            }
            break;
        case member::value_start:
            if (is_json_space(c)) break;
            value_start_ = scan_;
            member_ = member::value;
            // An arguments object after the name streams as it is written.
            if ((key_ == "arguments" || key_ == "parameters") && !args_seen_ && name_known_ && c == '{') {
                streaming_args_ = true;
                args_sent_ = scan_;
            }
            return object_char(c, out);
        case member::value:
            if (in_string_) {
                if (escape_) escape_ = false;
                else if (c == '\\') escape_ = true;
                else if (c == '"') in_string_ = false;
            } else if (c == '"') {
                in_string_ = true;
            } else if (c == '{' || c == '[') {
                ++depth_;
            } else if ((c == '}' || c == ']') && depth_ > 1) {
                --depth_;
                if (depth_ == 1 && streaming_args_) {
                    emit(out, false, held_.substr(args_sent_, scan_ + 1 - args_sent_));
                    streaming_args_ = false;
                    args_seen_ = true;
                }
            } else if (depth_ == 1 && (c == ',' || c == '}')) {
                value_ended(scan_, out);
                if (phase_ == phase::failed) return;
                if (c == '}') {
                    ++scan_;
                    object_ended(out);
                    return;
                }
                member_ = member::key;
            } else if (depth_ == 1 && c == ']') {
                return fail();
            }
            break;
    }
    ++scan_;
}

void tool_call_stream::value_ended(size_t end, stream_piece& out) {
    const std::string_view raw = trim_json_space(std::string_view(held_).substr(value_start_, end - value_start_));
    if (key_ == "name" && !name_known_) {
        const auto v = nlohmann::json::parse(raw, nullptr, false);
        if (!v.is_string() || v.get<std::string>().empty()) return fail();
        name_ = v.get<std::string>();
        name_known_ = true;
        emit(out, true, pending_args_);
    } else if ((key_ == "arguments" || key_ == "parameters") && !args_seen_) {
        args_seen_ = true;
        const auto v = nlohmann::json::parse(raw, nullptr, false);
        std::string args;
        if (v.is_object()) args = raw;
        else if (v.is_string()) args = v.get<std::string>();
        else if (v.is_null()) args = "{}";
        else return fail();
        if (name_known_) emit(out, false, args);
        else pending_args_ = std::move(args);
    }
}

void tool_call_stream::object_ended(stream_piece& out) {
    if (!name_known_) return fail();
    if (!args_seen_) emit(out, false, "{}");
    phase_ = phase::after_object;
}

void tool_call_stream::emit(stream_piece& out, bool first, const std::string& args) {
    if (first) {
        calls_.push_back({name_, args});
        out.calls.push_back({calls_.size() - 1, name_, args});
        return;
    }
    if (args.empty()) return;
    calls_.back().arguments += args;
    if (!out.calls.empty() && out.calls.back().index == calls_.size() - 1) {
        out.calls.back().arguments += args;
    } else {
        out.calls.push_back({calls_.size() - 1, "", args});
    }
}

}  // namespace holo::server
