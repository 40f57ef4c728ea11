package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.GatewayStatus.ProxyState;

class StatusBarViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
    }

    private StatusBarViewModel vm(boolean windows) {
        StatusBarViewModel vm = new StatusBarViewModel(control, UiTasks.direct(), InstantSource.fixed(NOW),
                ZoneOffset.UTC, windows);
        vm.activate();
        return vm;
    }

    @Test
    void startAndStopChangeWhatTheBarSays() {
        StatusBarViewModel vm = vm(false);
        assertThat(vm.proxyTextProperty().get()).isEqualTo("Stopped");
        assertThat(vm.startStopLabelProperty().get()).isEqualTo("Start");

        vm.toggleProxy();
        assertThat(vm.proxyStateProperty().get()).isEqualTo(ProxyState.RUNNING);
        assertThat(vm.proxyTextProperty().get()).isEqualTo("Listening on http://127.0.0.1:8000");
        assertThat(vm.startStopLabelProperty().get()).isEqualTo("Stop");

        vm.toggleProxy();
        assertThat(vm.proxyTextProperty().get()).isEqualTo("Stopped");
        assertThat(control.starts()).isEqualTo(1);
    }

    @Test
    void showsWhyTheProxyFailed() {
        StatusBarViewModel vm = vm(false);
        control.fail("port 8000 is in use");

        assertThat(vm.proxyTextProperty().get()).isEqualTo("Failed: port 8000 is in use");
        assertThat(vm.startStopLabelProperty().get()).isEqualTo("Start");
    }

    @Test
    void aRefusedConfigEditIsShownUntilItIsFixed() {
        StatusBarViewModel vm = vm(false);
        assertThat(vm.configProblemProperty().get()).isEmpty();

        control.status().set(control.status().get().withConfigProblem(
                "edit of /x/config.yaml refused (/x/config.yaml:3: routing.mode: must be one of auto, off); "
                        + "the previous settings stay in force"));
        assertThat(vm.configProblemProperty().get()).isEqualTo("Config edit of /x/config.yaml refused "
                + "(/x/config.yaml:3: routing.mode: must be one of auto, off); the previous settings stay in force");

        control.status().set(control.status().get().withConfigProblem(null));
        assertThat(vm.configProblemProperty().get()).isEmpty();
    }

    @Test
    void setupTextPointsAtTheGatewayAndAddsPowerShellOnWindows() {
        assertThat(vm(false).setupText()).isEqualTo("export ANTHROPIC_BASE_URL=http://127.0.0.1:8000");
        assertThat(vm(true).setupText()).isEqualTo("export ANTHROPIC_BASE_URL=http://127.0.0.1:8000"
                + System.lineSeparator() + "$env:ANTHROPIC_BASE_URL=\"http://127.0.0.1:8000\"");
    }

    @Test
    void todaysMoneyCountsOnlyToday() {
        control.store().addAll(SampleData.traffic(NOW, 3, 300, 7));
        StatusBarViewModel vm = vm(false);
        vm.refresh();

        double today = control.store().summary(Instant.parse("2026-12-01T00:00:00Z"), null).costUsd();
        double all = control.store().summary(null, null).costUsd();
        assertThat(today).isLessThan(all);
        assertThat(vm.todaySpendProperty().get()).isEqualTo(dev.costgateway.app.fx.Money.usd(today));
        assertThat(vm.embedderTextProperty().get()).isEqualTo("Embedder ready");
        assertThat(vm.upstreamTextProperty().get()).isEqualTo("Upstream api.anthropic.com reachable");
    }
}
