#include "server/pull.h"

#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace holo::server {

namespace fs = std::filesystem;

namespace {

struct download_state {
    std::FILE* out = nullptr;
    uint64_t written = 0;       // this attempt
    uint64_t resumed_from = 0;
    uint64_t max_bytes = 0;
    bool too_big = false;
    bool cancelled = false;
    const pull_options* opts = nullptr;
    uint64_t total = 0;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
    auto* st = static_cast<download_state*>(user);
    const size_t bytes = size * n;
    if (st->resumed_from + st->written + bytes > st->max_bytes) {
        st->too_big = true;
        return 0;  // makes curl stop with a write error
    }
    if (std::fwrite(data, 1, bytes, st->out) != bytes) return 0;
    st->written += bytes;
    return bytes;
}

int on_xfer(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
    auto* st = static_cast<download_state*>(user);
    st->total = dltotal > 0 ? st->resumed_from + uint64_t(dltotal) : 0;
    if (st->opts->on_progress) {
        pull_progress p{"pulling", st->total, st->resumed_from + uint64_t(dlnow)};
        if (!st->opts->on_progress(p)) {
            st->cancelled = true;
            return 1;
        }
    }
    return 0;
}

struct curl_deleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

result<void> download(const std::string& url, const std::string& partial, const pull_options& opts) {
    std::error_code ec;
    uint64_t have = fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<CURL, curl_deleter> c(curl_easy_init());
        if (!c) return error{"pull: cannot initialize libcurl"};
        download_state st;
        st.resumed_from = have;
        st.max_bytes = opts.max_bytes;
        st.opts = &opts;
        st.out = std::fopen(partial.c_str(), have ? "ab" : "wb");
        if (!st.out) return error{partial + ": cannot open for writing"};
        char errbuf[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c.get(), CURLOPT_MAXFILESIZE_LARGE, curl_off_t(opts.max_bytes));
        curl_easy_setopt(c.get(), CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "holobiont-pull");
        curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &st);
        curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, on_xfer);
        curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &st);
        if (have) curl_easy_setopt(c.get(), CURLOPT_RESUME_FROM_LARGE, curl_off_t(have));
        const CURLcode rc = curl_easy_perform(c.get());
        long status = 0;
        curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
        std::fclose(st.out);
        if (st.cancelled) return error{"pull: cancelled"};
        if (st.too_big) {
            fs::remove(partial, ec);
            return error{url + ": the download exceeds the limit of " + std::to_string(opts.max_bytes) + " bytes"};
        }
        if (rc == CURLE_OK && status >= 300 && status < 400) {
            fs::remove(partial, ec);
            return error{url + ": the server answered with a redirect (" + std::to_string(status) +
                         "); redirects are not followed, pass the final URL"};
        }
        if (have && rc == CURLE_OK && status == 200) {
            // The server ignored the range and sent the whole file after our bytes: start over.
            fs::remove(partial, ec);
            have = 0;
            continue;
        }
        if (have && rc == CURLE_HTTP_RETURNED_ERROR && status == 416) {
            return ok();  // the range starts at the end: the partial file is complete
        }
        if (rc != CURLE_OK) {
            if (rc == CURLE_FILESIZE_EXCEEDED) fs::remove(partial, ec);
            return error{url + ": download failed: " + (errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc)) +
                         " (the partial file is kept; pulling again resumes)"};
        }
        return ok();
    }
    return error{url + ": the server does not honor range requests consistently"};
}

}  // namespace

bool is_url(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

result<store_entry> pull_model(model_store& store, const std::string& source, const pull_options& opts) {
    const std::string name = opts.name.empty() ? name_from_filename(source) : opts.name;
    auto n = parse_model_name(name);
    if (!n.ok()) return n.err();
    if (!opts.expected_digest.empty() && !is_valid_digest(opts.expected_digest)) {
        return error{"invalid digest \"" + opts.expected_digest + "\" (expected sha256: and 64 lowercase hex digits)"};
    }
    if (!is_url(source)) {
        if (!opts.allow_local_path) return error{"pull: only http:// and https:// URLs are accepted here"};
        if (opts.on_progress) opts.on_progress({"copying", 0, 0});
        auto e = store.import_file(n->str(), source, [&](uint64_t done, uint64_t total) {
            if (opts.on_progress) opts.on_progress({"copying", total, done});
        });
        if (e.ok() && !opts.expected_digest.empty() && e->digest != opts.expected_digest) {
            (void)store.remove(n->str());
            return error{source + ": sha256 mismatch: expected " + opts.expected_digest + ", got " + e->digest};
        }
        if (e.ok() && opts.on_progress) opts.on_progress({"success", e->size, e->size});
        return e;
    }
    std::error_code ec;
    fs::create_directories(store.dir() + "/blobs", ec);
    if (ec) return error{store.dir() + "/blobs: cannot create: " + ec.message()};
    const std::string partial = store.partial_path(source);
    HOLO_TRY(download(source, partial, opts));
    if (opts.on_progress) opts.on_progress({"verifying sha256 digest", 0, 0});
    auto digest = sha256_file(partial);
    if (!digest.ok()) return digest.err();
    if (!opts.expected_digest.empty() && digest.value() != opts.expected_digest) {
        fs::remove(partial, ec);
        return error{source + ": sha256 mismatch: expected " + opts.expected_digest + ", got " + digest.value() +
                     " (the download was discarded)"};
    }
    if (opts.on_progress) opts.on_progress({"writing manifest", 0, 0});
    auto e = store.adopt_file(n->str(), partial, digest.value());
    if (!e.ok()) {
        fs::remove(partial, ec);
        return e.err();
    }
    if (opts.on_progress) opts.on_progress({"success", e->size, e->size});
    return e;
}

}  // namespace holo::server
