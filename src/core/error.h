// Errors as values at module boundaries: `result<T>` holds a value or an `error`
// whose message a user can act on ("<file>: tensor 'x': data ends at byte N, ...").
// Invariants inside a module use HOLO_ASSERT, which stays on in release builds.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace holo {

struct error {
    std::string message;
};

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : v_(std::move(value)) {}
    result(error e) : v_(std::move(e)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

    const error& err() const { return std::get<1>(v_); }
    const std::string& message() const { return err().message; }

private:
    std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(error e) : err_(std::move(e)), ok_(false) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const error& err() const { return err_; }
    const std::string& message() const { return err_.message; }

private:
    error err_;
    bool ok_ = true;
};

inline result<void> ok() { return {}; }

[[noreturn]] inline void assert_fail(const char* file, int line, const char* cond, const char* msg) {
    std::fprintf(stderr, "holo: internal error at %s:%d: %s (%s)\n", file, line, msg, cond);
    std::abort();
}

}  // namespace holo

#define HOLO_ASSERT(cond, msg) \
    do { if (!(cond)) ::holo::assert_fail(__FILE__, __LINE__, #cond, msg); } while (0)

// Propagate an error from an expression returning result<...>.
#define HOLO_TRY(expr) \
    do { auto holo_try_r_ = (expr); if (!holo_try_r_.ok()) return holo_try_r_.err(); } while (0)
