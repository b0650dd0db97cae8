#include "core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holo {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

result<std::unique_ptr<mapped_file>> mapped_file::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error{path + ": cannot open: " + errno_text(errno)};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return error{path + ": cannot stat: " + errno_text(e)};
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return error{path + ": not a regular file"};
    }
    std::unique_ptr<mapped_file> m(new mapped_file());
    m->path_ = path;
    m->size_ = static_cast<uint64_t>(st.st_size);
    if (m->size_ > 0) {
        void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            return error{path + ": cannot memory-map " + std::to_string(m->size_) + " bytes: " + errno_text(e)};
        }
        m->data_ = static_cast<const uint8_t*>(p);
    }
    // The map keeps its own reference to the file.
    ::close(fd);
    return m;
}

mapped_file::~mapped_file() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

result<void> mapped_file::lock_in_memory() const {
    if (size_ == 0) return ok();
    if (::mlock(data_, size_) == 0) return ok();
    int e = errno;
    std::string msg = path_ + ": cannot lock " + std::to_string(size_) + " bytes in memory: " + errno_text(e);
    struct rlimit rl {};
    if ((e == ENOMEM || e == EPERM || e == EAGAIN) && ::getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
        if (rl.rlim_cur == RLIM_INFINITY) {
            msg += " (RLIMIT_MEMLOCK is unlimited, so the machine lacks free RAM)";
        } else {
            msg += " (RLIMIT_MEMLOCK is " + std::to_string(rl.rlim_cur) +
                   " bytes; raise it with `ulimit -l` or in /etc/security/limits.conf, or run without --mlock)";
        }
    }
    return error{msg};
}

void mapped_file::prefetch(uint64_t offset, uint64_t length) const {
    if (offset >= size_ || length == 0) return;
    if (length > size_ - offset) length = size_ - offset;
    // madvise wants a page-aligned start.
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    uint64_t start = offset & ~(page - 1);
    ::madvise(const_cast<uint8_t*>(data_) + start, length + (offset - start), MADV_WILLNEED);
}

}  // namespace holo
