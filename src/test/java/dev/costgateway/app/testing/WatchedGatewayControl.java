package dev.costgateway.app.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import javafx.application.Platform;

import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.observe.Observable;
import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;

/**
 * Passes everything to a real gateway and watches how the UI reads the metrics store: how many queries, and which
 * of them ran on the FX application thread (none should).
 */
public final class WatchedGatewayControl implements GatewayControl {
    private final GatewayControl delegate;
    private final MetricsQueries metrics;
    private final AtomicLong queries = new AtomicLong();
    private final List<String> onFxThread = new CopyOnWriteArrayList<>();

    public WatchedGatewayControl(GatewayControl delegate) {
        this.delegate = delegate;
        this.metrics = (MetricsQueries) Proxy.newProxyInstance(MetricsQueries.class.getClassLoader(),
                new Class<?>[] {MetricsQueries.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(delegate.metrics(), args);
                    }
                    queries.incrementAndGet();
                    if (Platform.isFxApplicationThread()) {
                        onFxThread.add(method.getName());
                    }
                    try {
                        return method.invoke(delegate.metrics(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Metrics queries made so far. */
    public long queries() {
        return queries.get();
    }

    /** Names of the metrics methods that were called on the FX application thread. */
    public List<String> queriesOnFxThread() {
        return List.copyOf(onFxThread);
    }

    @Override
    public MetricsQueries metrics() {
        return metrics;
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public void stop() {
        delegate.stop();
    }

    @Override
    public ReloadResult reload(GatewayConfig config) {
        return delegate.reload(config);
    }

    @Override
    public ReloadResult saveAndReload(String yamlText) throws ConfigException, java.io.IOException {
        return delegate.saveAndReload(yamlText);
    }

    @Override
    public List<dev.costgateway.core.config.ConfigProblem> validate(GatewayConfig fileConfig) {
        return delegate.validate(fileConfig);
    }

    @Override
    public GatewayConfig config() {
        return delegate.config();
    }

    @Override
    public Path configFile() {
        return delegate.configFile();
    }

    @Override
    public Observable<GatewayStatus> status() {
        return delegate.status();
    }

    @Override
    public Observable<ConfigState> configState() {
        return delegate.configState();
    }
}
