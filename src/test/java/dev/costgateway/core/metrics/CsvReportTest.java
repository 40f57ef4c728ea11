package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

class CsvReportTest {

    private static ReportRow row(String key, double saved) {
        return new ReportRow(key, 3, 100, 50, 7, 9, 0.0123, 0.05, saved, 1, 2);
    }

    @Test
    void writesAHeaderRowAndCrlfLineEnds() {
        String csv = CsvReport.toCsv(List.of(row("2025-03-10", 0.0377)), ReportGrouping.DAY);

        assertThat(csv).isEqualTo("date,requests,input_tokens,output_tokens,cache_creation_tokens,"
                + "cache_read_tokens,cost_usd,counterfactual_usd,saved_usd,cache_hits,escalations\r\n"
                + "2025-03-10,3,100,50,7,9,0.0123,0.05,0.0377,1,2\r\n");
    }

    @Test
    void namesTheKeyColumnAfterTheGrouping() {
        assertThat(CsvReport.toCsv(List.of(), ReportGrouping.MODEL)).startsWith("model,");
        assertThat(CsvReport.toCsv(List.of(), ReportGrouping.TIER)).startsWith("tier,");
        assertThat(CsvReport.toCsv(List.of(), ReportGrouping.REQUEST)).startsWith("query_id,");
    }

    @Test
    void quotesCellsWithCommasQuotesAndLineBreaks() {
        String csv = CsvReport.toCsv(List.of(row("a,b", 0), row("say \"hi\"", 0), row("two\nlines", 0)),
                ReportGrouping.MODEL);

        assertThat(csv.split("\r\n", -1)).containsSubsequence("\"a,b\",3,100,50,7,9,0.0123,0.05,0,1,2",
                "\"say \"\"hi\"\"\",3,100,50,7,9,0.0123,0.05,0,1,2", "\"two\nlines\",3,100,50,7,9,0.0123,0.05,0,1,2");
    }

    @Test
    void neutralisesTextCellsThatASpreadsheetWouldRunAsFormulas() {
        String csv = CsvReport.toCsv(List.of(row("=HYPERLINK(\"http://evil\",\"x\")", 0), row("+1", 0),
                row("-2+3", 0), row("@SUM(A1)", 0), row("\tx", 0), row("\rx", 0)), ReportGrouping.MODEL);

        assertThat(csv).contains("\r\n\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",")
                .contains("\r\n'+1,").contains("\r\n'-2+3,").contains("\r\n'@SUM(A1),").contains("\r\n'\tx,")
                .contains("\r\n\"'\rx\",");
    }

    @Test
    void keepsNegativeAndTinyMoneyAsPlainNumbers() {
        String csv = CsvReport.toCsv(List.of(row("m", -0.5), row("n", 1.0E-7)), ReportGrouping.MODEL);

        assertThat(csv).contains("\r\nm,3,100,50,7,9,0.0123,0.05,-0.5,1,2\r\n")
                .contains("\r\nn,3,100,50,7,9,0.0123,0.05,0.0000001,1,2\r\n");
    }
}
