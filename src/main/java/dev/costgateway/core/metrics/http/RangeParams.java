package dev.costgateway.core.metrics.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import org.eclipse.jetty.util.Fields;

/** The {@code from} / {@code to} query parameters every range endpoint takes, read one way. */
public final class RangeParams {

    private RangeParams() {
    }

    /**
     * An ISO date (UTC day start; as an upper bound the next day's start) or an ISO instant / offset date-time;
     * null when absent or blank.
     *
     * @throws IllegalArgumentException with a message fit for the client when the value is neither
     */
    public static Instant instant(Fields params, String name, boolean upperBound) {
        String v = params.getValue(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        String s = v.strip();
        try {
            if (s.length() == 10) {
                LocalDate d = LocalDate.parse(s);
                return (upperBound ? d.plusDays(1) : d).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    name + " must be an ISO date (2025-03-10) or instant (2025-03-10T12:00:00Z)");
        }
    }
}
