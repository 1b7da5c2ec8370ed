#if os(Linux)
import Foundation
import Glibc
import Synchronization

/// Persistent threads, one per core beyond the caller's, that run the chunks of one parallel
/// loop at a time (`Parallel.forEachChunk`). A batch-1 pass runs about 150 loops back to back;
/// with `DispatchQueue.concurrentPerform` the helpers sleep on a futex after each and pay a
/// wake-up before the next, so here they spin a few tens of microseconds for the next loop first
/// and only then park on a condition variable.
///
/// The caller runs chunks of its own loop. Chunks go to whichever thread claims them first
/// (atomic counters), so a core taken away by another process only delays its current chunk;
/// the chunks themselves are fixed by the caller, so results do not depend on who ran what.
/// Calls from inside a pool loop (or from a thread already running one) and calls while another
/// thread holds the pool run their chunks inline, in order, as nested `concurrentPerform` did.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool; nil on one core or with XAI_POOL=0 (then GCD runs the loops).
    static let shared: WorkerPool? = {
        let env = ProcessInfo.processInfo.environment
        guard Parallel.cores > 1, env["XAI_POOL"] != "0" else { return nil }
        let spin = env["XAI_POOL_SPIN_US"].flatMap { Int($0) } ?? 50
        return WorkerPool(workers: Parallel.cores - 1, spinMicroseconds: max(0, spin),
                          affine: env["XAI_POOL_AFFINE"] != "0", yielding: env["XAI_POOL_YIELD"].flatMap { Int($0) } ?? 16)
    }()

    let workers: Int
    /// How long an idle thread polls before parking (also the caller's poll for stragglers).
    private let spinNanos: UInt64
    /// Whether thread k starts on the k-th share of the chunks (then steals the others'), so
    /// consecutive loops of the same length hand each core the same part of the data (on by
    /// default; XAI_POOL_AFFINE=0 hands chunks out first come, first served). Alternated on this
    /// 2-core host (2026-12-05): Lite0 forward at batch 1 4.91-5.30 against 5.18-5.32 ms,
    /// ResNet-50 41.5-42.4 against 42.5-43.7 ms; an earlier session had timed the two alike.
    private let affine: Bool
    /// Polls between `sched_yield` calls while spinning (0: never yield). The cores are shared
    /// with other processes: a thread that only spun would hold a core that the thread it waits
    /// for (or another process) needs; with a yield every 16 polls Lite0 at batch 1 on a busy
    /// machine ran as fast as with GCD, where pure spinning was 5% slower.
    private let yielding: Int

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let jobDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Bumped (under `mutex`) for each posted loop; idle threads poll it.
    private let generation = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// Under `mutex`: the latest loop and how many threads are parked.
    private var current: Job?
    private var sleepers = 0

    /// Starts `workers` threads that live as long as the process (tests make pools of their own).
    init(workers: Int, spinMicroseconds: Int, affine: Bool, yielding: Int = 0) {
        self.workers = workers
        self.yielding = yielding
        self.spinNanos = UInt64(spinMicroseconds) * 1000
        self.affine = affine
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workReady, nil)
        pthread_cond_init(jobDone, nil)
        for k in 1...workers {
            let thread = Thread { [unowned self] in self.workerLoop(share: k) }
            thread.name = "xai-pool-\(k)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// `body(i)` for every i in 0..<chunks, each exactly once, across the pool's threads and the
    /// caller; returns when all have run.
    func run(_ chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 1 || InsidePool.isSet || !busy.compareExchange(expected: false, desired: true,
                                                                    ordering: .acquiring).exchanged {
            for i in 0..<chunks { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            // Threads reach the closure through a pointer, not a reference: one still holding
            // a finished job (it found no chunk left) must not keep the closure alive.
            withUnsafePointer(to: body) { pointer in
                let job = Job(chunks: chunks, shares: affine ? workers + 1 : 1, body: UnsafeRawPointer(pointer))
                pthread_mutex_lock(mutex)
                current = job
                generation.add(1, ordering: .releasing)
                if sleepers > 0 { pthread_cond_broadcast(workReady) }
                pthread_mutex_unlock(mutex)
                InsidePool.set(true)
                work(job, share: 0)
                InsidePool.set(false)
                waitUntilDone(job)
            }
        }
    }

    /// Whether some thread is running a loop on the pool (a loop started elsewhere now runs
    /// inline); a snapshot.
    var isBusy: Bool { busy.load(ordering: .relaxed) }

    private func workerLoop(share: Int) {
        InsidePool.set(true)
        var seen = 0
        while true {
            let deadline = Self.now() &+ spinNanos
            var polls = 0
            while generation.load(ordering: .acquiring) == seen {
                polls &+= 1
                if yielding > 0 && polls % yielding == 0 { sched_yield() }
                if polls & 255 == 0 && Self.now() > deadline { break }
            }
            pthread_mutex_lock(mutex)
            sleepers += 1
            while generation.load(ordering: .relaxed) == seen { pthread_cond_wait(workReady, mutex) }
            sleepers -= 1
            seen = generation.load(ordering: .relaxed)
            let job = current!
            pthread_mutex_unlock(mutex)
            work(job, share: share)
        }
    }

    /// Claims and runs chunks: first from this thread's own share, then from the others'.
    private func work(_ job: Job, share: Int) {
        let body = job.body.assumingMemoryBound(to: ((Int) -> Void).self)
        var ran = 0
        for k in 0..<job.shares {
            let s = (share + k) % job.shares
            let end = job.chunks * (s + 1) / job.shares
            while true {
                let i = job.next[s].wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= end { break }
                body.pointee(i)
                ran += 1
            }
        }
        guard ran > 0 else { return }
        let finished = job.done.wrappingAdd(ran, ordering: .sequentiallyConsistent).newValue
        if finished == job.chunks && job.callerWaiting.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(jobDone)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Polls for chunks still running on other threads, then sleeps until the last one ends.
    private func waitUntilDone(_ job: Job) {
        let deadline = Self.now() &+ spinNanos
        var polls = 0
        while job.done.load(ordering: .acquiring) < job.chunks {
            polls &+= 1
            if yielding > 0 && polls % yielding == 0 { sched_yield() }
            if polls & 255 == 0 && Self.now() > deadline {
                pthread_mutex_lock(mutex)
                job.callerWaiting.store(true, ordering: .sequentiallyConsistent)
                while job.done.load(ordering: .sequentiallyConsistent) < job.chunks { pthread_cond_wait(jobDone, mutex) }
                pthread_mutex_unlock(mutex)
                return
            }
        }
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// One loop: its chunk count, the next unclaimed chunk of each share, and completions.
    private final class Job {
        let chunks: Int
        let shares: Int
        let body: UnsafeRawPointer
        let next: UnsafeMutablePointer<Atomic<Int>>
        let done = Atomic<Int>(0)
        let callerWaiting = Atomic<Bool>(false)

        init(chunks: Int, shares: Int, body: UnsafeRawPointer) {
            self.chunks = chunks
            self.shares = shares
            self.body = body
            next = .allocate(capacity: shares)
            for s in 0..<shares { (next + s).initialize(to: Atomic(chunks * s / shares)) }
        }

        deinit {
            next.deinitialize(count: shares)
            next.deallocate()
        }
    }
}

/// Whether the current thread is running a pool loop (a worker, or a caller inside its own
/// loop): a parallel loop started there runs inline.
enum InsidePool {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isSet: Bool { pthread_getspecific(key) != nil }

    static func set(_ inside: Bool) {
        pthread_setspecific(key, inside ? UnsafeRawPointer(bitPattern: 1) : nil)
    }
}
#endif
