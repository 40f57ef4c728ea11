package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.testing.WatchedGatewayControl;
import dev.costgateway.testing.GatewayHarness;

/**
 * The window stays responsive while the real gateway serves about 200 requests/s: for {@link #LOAD} the
 * dashboard and then the requests screen are shown, a pinger measures how long a {@code Platform.runLater} waits
 * before the FX thread runs it, and the screens must keep changing. It also proves why: the UI reads the metrics
 * store a bounded number of times per second and never on the FX thread.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class UiUnderLoadUiTest {
    static final int RATE_PER_SECOND = 200;
    static final Duration LOAD = Duration.ofSeconds(5);
    static final int MAX_IN_FLIGHT = 64;
    /** More rows than the table shows, so its cells and scroll bar exist before the measurement. */
    static final int WARM_UP_REQUESTS = 60;
    /**
     * p99 of each FX ping's wait minus that of its twin on an idle thread (which takes what the machine's load does
     * to every thread). Generous on purpose: with the software renderer (headless tests) sharing 2 cores with the
     * gateway at 200 requests/s, the FX thread waits for the render thread whenever a screen repaints a lot (the
     * screen switch, the first table refill): 15-90 ms on a quiet machine, up to about 290 ms when other builds
     * compete for the cores. A blocking H2 read on the FX thread measures about 215 ms on a quiet machine; the
     * thread and rate checks below are what reliably catch H2 or per-request work on the FX thread.
     */
    static final long PING_P99_LIMIT_MILLIS = 400;
    static final long PING_INTERVAL_MILLIS = 10;
    /** Share of one core; the app uses 2-5 % under this load. */
    static final double FX_CPU_LIMIT = 0.5;

    GatewayHarness harness;
    WatchedGatewayControl control;
    MainWindow window;
    ExecutorService background;
    ExecutorService clientPool;
    ScheduledExecutorService timers;
    ExecutorService idleThread;

    @Start
    void start(Stage stage) throws Exception {
        harness = GatewayHarness.start("");
        control = new WatchedGatewayControl(harness.gateway);
        background = Executors.newFixedThreadPool(2, named("ui-test-background"));
        clientPool = Executors.newFixedThreadPool(4, named("load-client"));
        timers = Executors.newScheduledThreadPool(2, named("load-timer"));
        idleThread = Executors.newSingleThreadExecutor(named("idle-ping"));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(background, FxThread.EXECUTOR),
                InstantSource.system(), ZoneId.systemDefault(), CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.activate();
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(window::deactivate).get(5, TimeUnit.SECONDS);
        timers.shutdownNow();
        idleThread.shutdownNow();
        clientPool.shutdownNow();
        background.shutdownNow();
        background.awaitTermination(5, TimeUnit.SECONDS);
        harness.close();
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }

    private HttpRequest question(int i) {
        return HttpRequest.newBuilder(URI.create(harness.url() + "/v1/messages"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("x-api-key", "load-key")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"What is " + i + " plus " + i + "?\"}]}"))
                .build();
    }

    /**
     * Both screens draw real data once before the measurement: the first chart layout and the first table fill
     * load and compile a lot of JavaFX code and create the table's cells (hundreds of ms on a busy machine), a
     * one-off cost, not load.
     */
    private void warmUp(HttpClient http, Label requestsKpi, TableView<?> table) throws Exception {
        for (int i = 0; i < WARM_UP_REQUESTS; i++) {
            assertThat(http.send(question(-1 - i), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(200);
        }
        harness.gateway.flushMetrics();
        String warmedUp = String.valueOf(WARM_UP_REQUESTS);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(requestsKpi::getText).equals(warmedUp));
        fx(() -> {
            window.showScreen(MainWindow.Screen.REQUESTS);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> table.getItems().size()) == WARM_UP_REQUESTS);
        fx(() -> {
            window.showScreen(MainWindow.Screen.DASHBOARD);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    static List<Long> sorted(Queue<Long> samples) {
        List<Long> out = new ArrayList<>(samples);
        out.sort(null);
        return out;
    }

    /** In milliseconds. */
    static double percentile(List<Long> sortedNanos, double q) {
        return sortedNanos.get(Math.max(0, (int) Math.ceil(sortedNanos.size() * q) - 1)) / 1e6;
    }

    @Test
    void fxThreadStaysResponsiveAndScreensKeepUpdatingAt200RequestsPerSecond(FxRobot robot) throws Exception {
        Label requestsKpi = robot.lookup("#kpi-requests-value").queryAs(Label.class);
        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        AtomicInteger kpiUpdates = new AtomicInteger();
        AtomicInteger tableUpdates = new AtomicInteger();
        fx(() -> {
            requestsKpi.textProperty().addListener((o, a, b) -> kpiUpdates.incrementAndGet());
            table.getItems().addListener((ListChangeListener<Object>) c -> tableUpdates.incrementAndGet());
            return null;
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientPool)
                .connectTimeout(Duration.ofSeconds(5)).build();
        warmUp(http, requestsKpi, table);
        int kpiBefore = kpiUpdates.get();
        int tableBefore = tableUpdates.get();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Queue<Long> pingNanos = new ConcurrentLinkedQueue<>();
        Queue<Long> idlePingNanos = new ConcurrentLinkedQueue<>();
        long queriesBefore = control.queries();
        long loadNanos = LOAD.toNanos();
        long t0 = System.nanoTime();

        Thread fxThread = fx(Thread::currentThread);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long fxCpuBefore = cpu.getThreadCpuTime(fxThread.getId());
        // each FX ping has a twin on an idle thread, posted at the same instant: what the twin waited is what the
        // machine's load cost every thread, the rest of the FX wait is the UI's own doing
        int maxPings = (int) (LOAD.toMillis() / PING_INTERVAL_MILLIS) + 100;
        AtomicLongArray fxWait = new AtomicLongArray(maxPings);
        AtomicLongArray idleWait = new AtomicLongArray(maxPings);
        AtomicInteger pingCount = new AtomicInteger();
        ScheduledFuture<?> pinger = timers.scheduleAtFixedRate(() -> {
            int i = pingCount.getAndIncrement();
            if (i >= maxPings) {
                return;
            }
            long posted = System.nanoTime();
            Platform.runLater(() -> {
                fxWait.set(i, System.nanoTime() - posted);
                pingNanos.add(System.nanoTime() - posted);
            });
            idleThread.execute(() -> {
                idleWait.set(i, System.nanoTime() - posted);
                idlePingNanos.add(System.nanoTime() - posted);
            });
        }, 0, PING_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        int[] dashboardPhase = new int[1];
        timers.schedule(() -> Platform.runLater(() -> {
            dashboardPhase[0] = kpiUpdates.get() - kpiBefore;
            window.showScreen(MainWindow.Screen.REQUESTS);
        }), loadNanos / 2, TimeUnit.NANOSECONDS);
        CountDownLatch loadDone = new CountDownLatch(1);
        ScheduledFuture<?>[] pacer = new ScheduledFuture<?>[1];
        pacer[0] = timers.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - t0 >= loadNanos) {
                pacer[0].cancel(false);
                loadDone.countDown();
                return;
            }
            if (!inFlight.tryAcquire()) {
                skipped.incrementAndGet();
                return;
            }
            HttpRequest question = question(sent.incrementAndGet());
            http.sendAsync(question, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, error) -> {
                inFlight.release();
                if (error == null && resp.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        }, 0, 1_000_000 / RATE_PER_SECOND, TimeUnit.MICROSECONDS);

        assertThat(loadDone.await(LOAD.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
        pinger.cancel(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double fxCpuShare = (cpu.getThreadCpuTime(fxThread.getId()) - fxCpuBefore) / 1e9 / seconds;
        long queries = control.queries() - queriesBefore;
        assertThat(inFlight.tryAcquire(MAX_IN_FLIGHT, 20, TimeUnit.SECONDS)).as("in-flight requests finished").isTrue();
        int kpiChanges = dashboardPhase[0];
        int tableChanges = tableUpdates.get() - tableBefore;

        List<Long> pings = sorted(pingNanos);
        List<Long> idlePings = sorted(idlePingNanos);
        double p99 = percentile(pings, 0.99);
        double idleP99 = percentile(idlePings, 0.99);
        Queue<Long> excessNanos = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < Math.min(pingCount.get(), maxPings); i++) {
            if (fxWait.get(i) > 0 && idleWait.get(i) > 0) {
                excessNanos.add(Math.max(0, fxWait.get(i) - idleWait.get(i)));
            }
        }
        double excessP99 = percentile(sorted(excessNanos), 0.99);
        System.out.printf(Locale.ROOT, "UI under load: %d sent (%.0f/s), %d ok, %d failed, %d skipped at the "
                        + "in-flight cap; FX ping p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d pings (idle thread "
                        + "p50 %.1f ms, p99 %.1f ms; FX wait over its twin p99 %.1f ms); FX thread CPU %.0f%%; %d metrics queries (%.1f/s); %d KPI "
                        + "updates on the dashboard, %d table updates on requests%n",
                sent.get(), sent.get() / seconds, ok.get(), failed.get(), skipped.get(), percentile(pings, 0.5), p99,
                percentile(pings, 1), pings.size(), percentile(idlePings, 0.5), idleP99, excessP99, fxCpuShare * 100, queries,
                queries / seconds, kpiChanges, tableChanges);

        assertThat(failed.get()).isZero();
        assertThat(ok.get()).as("the load really ran at a good part of 200 requests/s")
                .isGreaterThanOrEqualTo((int) (RATE_PER_SECOND * LOAD.toSeconds() * 2 / 5));
        assertThat(excessP99).as("p99 of FX ping wait over its idle twin, in ms").isLessThan(PING_P99_LIMIT_MILLIS);
        assertThat(fxCpuShare).as("share of one core the FX thread used").isLessThan(FX_CPU_LIMIT);
        assertThat(control.queriesOnFxThread()).as("metrics queries made on the FX thread").isEmpty();
        assertThat(queries / seconds).as("metrics queries per second (the UI polls, never per request)")
                .isLessThan(10);
        // each screen is shown for 2.5 s of a 1 s poll; a slow tick on a busy machine may cost one update
        assertThat(kpiChanges).as("dashboard KPI updates while shown").isPositive();
        assertThat(tableChanges).as("request table updates while shown").isPositive();
        assertThat(kpiChanges + tableChanges).as("screen updates during the load").isGreaterThanOrEqualTo(3);

        harness.gateway.flushMetrics();
        fx(() -> {
            window.showScreen(MainWindow.Screen.DASHBOARD);
            return null;
        });
        String expected = Formats.count(ok.get() + WARM_UP_REQUESTS);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(requestsKpi::getText).equals(expected));
    }
}
