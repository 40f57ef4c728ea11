package dev.costgateway.app.shell;

import java.net.URI;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.GatewayStatus.ProxyState;
import dev.costgateway.core.observe.Observable;
import dev.costgateway.core.metrics.MetricsQueries;

/** State of the always-visible status bar: proxy, embedder, upstream, today's money, and the setup snippet. */
public final class StatusBarViewModel {

    private final GatewayControl control;
    private final UiTasks tasks;
    private final InstantSource clock;
    private final ZoneId zone;
    private final boolean windows;
    private Observable.Subscription subscription;
    private boolean refreshing;

    // ---- properties ----
    private final ReadOnlyObjectWrapper<ProxyState> proxyState = new ReadOnlyObjectWrapper<>(ProxyState.STOPPED);
    private final ReadOnlyStringWrapper proxyText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper startStopLabel = new ReadOnlyStringWrapper("Start");
    private final ReadOnlyStringWrapper embedderText = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<GatewayStatus.EmbedderState> embedderState =
            new ReadOnlyObjectWrapper<>(GatewayStatus.EmbedderState.LOADING);
    private final ReadOnlyStringWrapper upstreamText = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<GatewayStatus.UpstreamState> upstreamState =
            new ReadOnlyObjectWrapper<>(GatewayStatus.UpstreamState.UNKNOWN);
    private final ReadOnlyStringWrapper todaySpend = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper todaySaved = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper configProblem = new ReadOnlyStringWrapper("");

    public StatusBarViewModel(GatewayControl control, UiTasks tasks, InstantSource clock, ZoneId zone,
            boolean windows) {
        this.control = control;
        this.tasks = tasks;
        this.clock = clock;
        this.zone = zone;
        this.windows = windows;
    }

    /** Starts following the gateway status; call {@link #deactivate()} when the window closes. */
    public void activate() {
        if (subscription == null) {
            subscription = control.status().subscribe(s -> tasks.onUi(() -> apply(s)));
        }
    }

    public void deactivate() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    private void apply(GatewayStatus s) {
        proxyState.set(s.proxy());
        running.set(s.proxy() == ProxyState.RUNNING);
        startStopLabel.set(s.proxy() == ProxyState.RUNNING || s.proxy() == ProxyState.STARTING ? "Stop" : "Start");
        proxyText.set(switch (s.proxy()) {
            case RUNNING -> "Listening on " + s.listeningUrl();
            case STARTING -> "Starting…";
            case STOPPED -> "Stopped";
            case FAILED -> "Failed: " + (s.error() == null ? "unknown error" : s.error());
        });
        embedderState.set(s.embedder());
        embedderText.set(switch (s.embedder()) {
            case DISABLED -> "Embedder off";
            case LOADING -> "Embedder loading…";
            case READY -> "Embedder ready";
            case FAILED -> "Embedder failed";
        });
        configProblem.set(s.configProblem() == null ? "" : "Config " + s.configProblem());
        upstreamState.set(s.upstream());
        String host = hostOf(s.upstreamUrl());
        upstreamText.set(switch (s.upstream()) {
            case UNKNOWN -> "Upstream " + host;
            case REACHABLE -> "Upstream " + host + " reachable";
            case UNREACHABLE -> "Upstream " + host + " unreachable";
        });
    }

    private static String hostOf(String url) {
        if (url == null) {
            return "";
        }
        try {
            String host = URI.create(url).getHost();
            return host == null ? url : host;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    /** Reloads today's spend and saved from the metrics store (off the UI thread). */
    public void refresh() {
        if (refreshing) {
            return;
        }
        refreshing = true;
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        tasks.run(() -> control.metrics().summary(today.atStartOfDay(zone).toInstant(), null), this::applyToday,
                e -> refreshing = false);
    }

    private void applyToday(MetricsQueries.Summary s) {
        refreshing = false;
        todaySpend.set(Money.usd(s.costUsd()));
        todaySaved.set(Money.usd(s.savedUsd()));
    }

    /** Stops a running proxy, starts a stopped one. */
    public void toggleProxy() {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        boolean stop = running.get() || proxyState.get() == ProxyState.STARTING;
        tasks.run(() -> {
            if (stop) {
                control.stop();
            } else {
                control.start();
            }
            return null;
        }, ignored -> busy.set(false), e -> {
            busy.set(false);
            notice.set((stop ? "Stop" : "Start") + " failed: " + e.getMessage());
        });
    }

    /** What a shell needs to point Claude Code or an SDK at this gateway. */
    public String setupText() {
        String url = clientUrl();
        String posix = "export ANTHROPIC_BASE_URL=" + url;
        return windows ? posix + System.lineSeparator() + "$env:ANTHROPIC_BASE_URL=\"" + url + "\"" : posix;
    }

    /** Call after the setup text went to the clipboard. */
    public void setupCopied() {
        notice.set("Copied: " + setupText().lines().findFirst().orElse(""));
    }

    String clientUrl() {
        GatewayStatus s = control.status().get();
        int port = control.config().server().port();
        if (s.listeningUrl() != null) {
            try {
                int p = URI.create(s.listeningUrl()).getPort();
                port = p > 0 ? p : port;
            } catch (IllegalArgumentException ignored) {
                // keep the configured port
            }
        }
        String host = control.config().server().host();
        boolean local = host.equals("0.0.0.0") || host.equals("::") || host.equals("127.0.0.1")
                || host.equals("localhost") || host.isBlank();
        String h = local ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }

    public ReadOnlyObjectProperty<ProxyState> proxyStateProperty() {
        return proxyState.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty proxyTextProperty() {
        return proxyText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty startStopLabelProperty() {
        return startStopLabel.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty embedderTextProperty() {
        return embedderText.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<GatewayStatus.EmbedderState> embedderStateProperty() {
        return embedderState.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty upstreamTextProperty() {
        return upstreamText.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<GatewayStatus.UpstreamState> upstreamStateProperty() {
        return upstreamState.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty todaySpendProperty() {
        return todaySpend.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty todaySavedProperty() {
        return todaySaved.getReadOnlyProperty();
    }

    /** "Config edit of FILE refused (first problem); the previous settings stay in force", or "" when fine. */
    public ReadOnlyStringProperty configProblemProperty() {
        return configProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }
}
