// The connection threads (connection_pool) and the client-gone probe
// (client_socket): threads start on demand up to the cap and end when idle; a
// closed or reset peer reads as gone, a quiet or still-talking one as present.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "server/client_socket.h"
#include "server/connection_pool.h"

namespace holo::server {
namespace {

using namespace std::chrono_literals;

template <typename F>
bool eventually(F f, std::chrono::milliseconds limit = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return f();
}

TEST(connection_pool, starts_threads_on_demand_up_to_the_cap_and_runs_every_job) {
    std::atomic<size_t> seen_threads{0}, seen_busy{0};
    connection_pool pool(4, 10s, [&](size_t threads, size_t busy) {
        seen_threads = std::max(seen_threads.load(), threads);
        seen_busy = std::max(seen_busy.load(), busy);
    });
    EXPECT_EQ(pool.n_threads(), 0u);
    std::atomic<int> running{0}, done{0};
    std::atomic<bool> release{false};
    for (int i = 0; i < 10; ++i) {
        pool.enqueue([&] {
            ++running;
            while (!release) std::this_thread::sleep_for(1ms);
            --running;
            ++done;
        });
    }
    ASSERT_TRUE(eventually([&] { return running == 4; }));
    EXPECT_EQ(pool.n_threads(), 4u);  // the cap, not one per job
    EXPECT_EQ(pool.n_busy(), 4u);
    release = true;
    ASSERT_TRUE(eventually([&] { return done == 10; }));
    EXPECT_EQ(seen_threads.load(), 4u);
    EXPECT_EQ(seen_busy.load(), 4u);
    pool.shutdown();
    EXPECT_EQ(pool.n_threads(), 0u);
}

TEST(connection_pool, reuses_an_idle_thread_instead_of_starting_another) {
    connection_pool pool(8, 10s);
    for (int i = 0; i < 20; ++i) {
        std::atomic<bool> ran{false};
        pool.enqueue([&] { ran = true; });
        ASSERT_TRUE(eventually([&] { return ran.load() && pool.n_busy() == 0; }));
    }
    EXPECT_EQ(pool.n_threads(), 1u);
}

TEST(connection_pool, idle_threads_end_and_trim_the_heap) {
    connection_pool pool(16, 100ms);
    std::atomic<int> done{0};
    for (int i = 0; i < 8; ++i) {
        pool.enqueue([&] {
            std::this_thread::sleep_for(20ms);
            ++done;
        });
    }
    ASSERT_TRUE(eventually([&] { return done == 8; }));
    EXPECT_GE(pool.n_threads(), 1u);
    ASSERT_TRUE(eventually([&] { return pool.n_threads() == 0; }));
    EXPECT_GE(pool.n_trims(), 1u);
    // A job after everything ended still runs (a new thread starts).
    std::atomic<bool> ran{false};
    pool.enqueue([&] { ran = true; });
    EXPECT_TRUE(eventually([&] { return ran.load(); }));
}

TEST(connection_pool, shutdown_serves_what_is_queued) {
    std::atomic<int> done{0};
    {
        connection_pool pool(2, 10s);
        for (int i = 0; i < 6; ++i) {
            pool.enqueue([&] {
                std::this_thread::sleep_for(10ms);
                ++done;
            });
        }
        pool.shutdown();
        EXPECT_EQ(pool.n_threads(), 0u);
    }
    EXPECT_EQ(done.load(), 6);
}

// A loopback TCP connection: the client socket and the server's accepted one.
struct tcp_pair {
    int listener = -1, client = -1, server = -1;
    tcp_pair() {
        listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a);
        listen(listener, 4);
        getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
        client = socket(AF_INET, SOCK_STREAM, 0);
        connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a);
        server = accept(listener, nullptr, nullptr);
    }
    ~tcp_pair() {
        for (int fd : {listener, client, server}) {
            if (fd >= 0) close(fd);
        }
    }
    int port_of(int fd, bool peer) const {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        if (peer) {
            getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
        } else {
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        }
        return ntohs(a.sin_port);
    }
};

TEST(client_socket, finds_the_accepted_socket_by_its_addresses) {
    tcp_pair p;
    ASSERT_GE(p.server, 0);
    const int remote_port = p.port_of(p.server, true), local_port = p.port_of(p.server, false);
    EXPECT_EQ(find_client_socket("127.0.0.1", remote_port, local_port), p.server);
    EXPECT_EQ(find_client_socket("127.0.0.2", remote_port, local_port), -1);
    EXPECT_EQ(find_client_socket("127.0.0.1", remote_port, local_port + 1), -1);
    EXPECT_EQ(find_client_socket("127.0.0.1", -1, local_port), -1);
}

TEST(client_socket, a_closed_peer_is_gone_a_quiet_or_talking_one_is_not) {
    tcp_pair p;
    ASSERT_GE(p.server, 0);
    EXPECT_FALSE(client_has_left(p.server));
    // Unread bytes (a pipelined request) do not count as gone, and are not consumed.
    ASSERT_EQ(write(p.client, "x", 1), 1);
    std::this_thread::sleep_for(20ms);  // loopback delivers it long before this
    EXPECT_FALSE(client_has_left(p.server));
    char c = 0;
    ASSERT_EQ(read(p.server, &c, 1), 1);
    EXPECT_EQ(c, 'x');
    close(p.client);
    p.client = -1;
    EXPECT_TRUE(eventually([&] { return client_has_left(p.server); }));
    EXPECT_FALSE(client_has_left(-1));
}

TEST(client_socket, a_reset_peer_is_gone) {
    tcp_pair p;
    ASSERT_GE(p.server, 0);
    linger l{1, 0};  // close with RST
    setsockopt(p.client, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(p.client);
    p.client = -1;
    EXPECT_TRUE(eventually([&] { return client_has_left(p.server); }));
}

}  // namespace
}  // namespace holo::server
