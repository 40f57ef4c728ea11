package dev.costgateway.core;

/**
 * What the status bar shows. Immutable; a new instance is published on every change.
 *
 * @param listeningUrl   {@code http://host:port} while running, else null
 * @param error          why the proxy stopped or failed to start, else null
 * @param embedder       state of the local embedding model
 * @param upstream       last known reachability of the upstream
 * @param droppedMetrics metrics records that could not be stored since start
 * @param configProblem  why the latest outside edit of the config file was refused (file, first problem, and that
 *                       the previous settings stay in force), or null while the file on disk is in force
 */
public record GatewayStatus(
        ProxyState proxy,
        String listeningUrl,
        String error,
        EmbedderState embedder,
        UpstreamState upstream,
        String upstreamUrl,
        long droppedMetrics,
        String configProblem) {

    public enum ProxyState { STARTING, RUNNING, STOPPED, FAILED }

    public enum EmbedderState { DISABLED, LOADING, READY, FAILED }

    public enum UpstreamState { UNKNOWN, REACHABLE, UNREACHABLE }

    public static GatewayStatus initial(String upstreamUrl) {
        return new GatewayStatus(ProxyState.STOPPED, null, null, EmbedderState.LOADING, UpstreamState.UNKNOWN,
                upstreamUrl, 0, null);
    }

    public GatewayStatus withProxy(ProxyState state, String url, String err) {
        return new GatewayStatus(state, url, err, embedder, upstream, upstreamUrl, droppedMetrics, configProblem);
    }

    public GatewayStatus withEmbedder(EmbedderState state) {
        return new GatewayStatus(proxy, listeningUrl, error, state, upstream, upstreamUrl, droppedMetrics,
                configProblem);
    }

    public GatewayStatus withUpstream(UpstreamState state, String url) {
        return new GatewayStatus(proxy, listeningUrl, error, embedder, state, url, droppedMetrics, configProblem);
    }

    public GatewayStatus withConfigProblem(String problem) {
        return new GatewayStatus(proxy, listeningUrl, error, embedder, upstream, upstreamUrl, droppedMetrics, problem);
    }

    public GatewayStatus withDroppedMetrics(long dropped) {
        return new GatewayStatus(proxy, listeningUrl, error, embedder, upstream, upstreamUrl, dropped, configProblem);
    }
}
