package dev.costgateway.core.proxy;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.eclipse.jetty.http.HttpFields;

import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.ClassifierLayer;

/** The {@code X-Gateway-*} response headers: the only headers the gateway adds to an answer. */
final class GatewayHeaders {

    static final String MODEL = "X-Gateway-Model";
    static final String CACHE = "X-Gateway-Cache";
    static final String SAVED = "X-Gateway-Saved-USD";
    static final String CLASSIFIER = "X-Gateway-Classifier";
    static final String QUERY_ID = "X-Gateway-Query-ID";
    static final String ESCALATIONS = "X-Gateway-Escalations";

    private GatewayHeaders() {
    }

    /** @param saved USD, or null: sent as {@code unknown} */
    static void put(HttpFields.Mutable headers, String model, CacheKind cache, Double saved, ClassifierLayer layer,
                    String queryId, int escalations) {
        headers.put(MODEL, model);
        headers.put(CACHE, cache.id());
        headers.put(SAVED, saved == null ? "unknown" : usd6(saved));
        headers.put(CLASSIFIER, layer.id());
        headers.put(QUERY_ID, queryId);
        headers.put(ESCALATIONS, Integer.toString(escalations));
    }

    /** USD with exactly 6 decimals ({@code String.format} is needlessly slow on the request path). */
    static String usd6(double usd) {
        return BigDecimal.valueOf(usd).setScale(6, RoundingMode.HALF_UP).toPlainString();
    }
}
