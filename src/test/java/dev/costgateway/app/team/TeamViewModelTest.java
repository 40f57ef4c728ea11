package dev.costgateway.app.team;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.testing.PostgresServer;

/** The switch without a window: what the screens read in each state, over a real shared PostgreSQL. */
class TeamViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T16:30:00Z");

    @TempDir
    Path dir;
    TeamViewModel vm;

    @AfterEach
    void close() {
        if (vm != null) {
            vm.deactivate();
        }
    }

    private FakeGatewayControl control(String teamUrl) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, teamUrl == null ? "" : "metrics:\n  team_view_jdbc_url: \"" + teamUrl + "\"\n",
                StandardCharsets.UTF_8);
        FakeGatewayControl control = new FakeGatewayControl(config);
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(2), 7, 1));
        return control;
    }

    private String write(String url, String gateway, int n, long seed) {
        try (MetricsStore s = MetricsStore.open(new GatewayConfig.Metrics(url, false, 500, 90, 10_000),
                dir.resolve(gateway), InstantSource.fixed(NOW))) {
            SampleData.traffic(NOW, Duration.ofHours(2), n, seed).forEach(s::record);
            s.flush();
            return s.instance();
        }
    }

    @Test
    void withoutATeamUrlThereIsNoTeamView() throws Exception {
        FakeGatewayControl control = control(null);
        MetricsSource source = MetricsSource.local(control);
        vm = new TeamViewModel(control, source, UiTasks.direct());
        assertThat(vm.availableProperty().get()).isFalse();
        vm.showTeam();
        assertThat(vm.modeProperty().get()).isEqualTo(TeamViewModel.Mode.LOCAL);
        assertThat(source.queries()).isSameAs(control.metrics());
    }

    @Test
    void teamShowsEveryInstanceThenTheChosenOneAndLocalComesBack() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        String a = write(url, "a", 11, 2);
        String b = write(url, "b", 4, 3);
        FakeGatewayControl control = control(url);
        MetricsSource source = MetricsSource.local(control);
        vm = new TeamViewModel(control, source, UiTasks.direct());
        vm.activate();

        vm.showTeam();
        assertThat(vm.stateProperty().get()).isEqualTo(TeamViewModel.State.CONNECTED);
        assertThat(source.isReadOnly()).isTrue();
        assertThat(source.queries().summary(null, null).requests()).isEqualTo(15);
        assertThat(vm.choices()).extracting(TeamViewModel.Choice::instance).containsExactly(null,
                a.compareTo(b) < 0 ? a : b, a.compareTo(b) < 0 ? b : a);

        int before = source.revision();
        vm.choiceProperty().set(vm.choices().stream().filter(c -> b.equals(c.instance())).findFirst().orElseThrow());
        assertThat(source.revision()).isGreaterThan(before);
        assertThat(source.queries().summary(null, null).requests()).isEqualTo(4);

        vm.showLocal();
        assertThat(source.isReadOnly()).isFalse();
        assertThat(source.queries()).isSameAs(control.metrics());
        assertThat(source.queries().summary(null, null).requests()).isEqualTo(7);

        // back to Team: the same store, the chosen instance kept
        vm.showTeam();
        assertThat(source.queries().summary(null, null).requests()).isEqualTo(4);
    }

    @Test
    void anUnreachableTeamKeepsTheLocalViewAndSaysWhy() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        FakeGatewayControl control = control("jdbc:postgresql://127.0.0.1:" + closedPort + "/t?user=u&password=pw0");
        MetricsSource source = MetricsSource.local(control);
        vm = new TeamViewModel(control, source, UiTasks.direct());
        vm.showTeam();
        assertThat(vm.stateProperty().get()).isEqualTo(TeamViewModel.State.FAILED);
        assertThat(vm.modeProperty().get()).isEqualTo(TeamViewModel.Mode.LOCAL);
        assertThat(vm.statusProperty().get()).startsWith("Team view unavailable: cannot reach the team's database")
                .endsWith("Showing this gateway.").doesNotContain("pw0");
        assertThat(source.isReadOnly()).isFalse();
        assertThat(source.revision()).isZero();
    }

    @Test
    void clearingTheUrlInSettingsEndsTheTeamView() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        write(url, "a", 3, 5);
        FakeGatewayControl control = control(url);
        MetricsSource source = MetricsSource.local(control);
        vm = new TeamViewModel(control, source, UiTasks.direct());
        vm.activate();
        vm.showTeam();
        assertThat(source.isReadOnly()).isTrue();

        control.editOutside("metrics:\n  team_view_jdbc_url: \"\"\n");
        assertThat(vm.availableProperty().get()).isFalse();
        assertThat(vm.modeProperty().get()).isEqualTo(TeamViewModel.Mode.LOCAL);
        assertThat(source.isReadOnly()).isFalse();
    }
}
