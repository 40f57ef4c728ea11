package dev.costgateway.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.core.config.ConfigLoader;

class SettingsViewModelTest {
    @TempDir
    Path dir;
    FakeGatewayControl control;
    SettingsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        vm = new SettingsViewModel(control, UiTasks.direct());
        vm.activate();
    }

    @Test
    void loadsEveryFieldFromTheConfigInForce() {
        assertThat(vm.field("server.port").textProperty().get()).isEqualTo("8000");
        assertThat(vm.field("cache.semantic_threshold").textProperty().get()).isEqualTo("0.75");
        assertThat(vm.field("escalation.phrases").items()).contains("I'm not sure", "I cannot");
        assertThat(vm.field("routing.conservative_tools").flagProperty().get()).isTrue();
        assertThat(vm.field("escalation.streaming").textProperty().get()).isEqualTo("off");
        assertThat(vm.field("upstream.timeout_seconds").textProperty().get()).isEqualTo("600");
        assertThat(vm.models()).extracting(r -> r.modelProperty().get()).contains("claude-opus-4-7");
        assertThat(vm.field("cache.semantic_threshold").help()).contains("Cosine similarity");
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.canSaveBinding().get()).isFalse();
    }

    @Test
    void coversEveryKeyOfTheDefaultFile() {
        Set<String> fieldKeys = vm.groups().stream().flatMap(g -> g.fields().stream()).map(SettingField::key)
                .collect(Collectors.toSet());
        Set<String> leaves = new TreeSet<>();
        collectLeaves(new Yaml().compose(new StringReader(ConfigLoader.defaultYaml())), "", leaves);
        leaves.removeIf(k -> k.startsWith("models.")); // edited as the prices table
        leaves.remove("budgets"); // edited as the budgets table

        assertThat(fieldKeys).containsExactlyInAnyOrderElementsOf(leaves);
    }

    private static void collectLeaves(Node node, String prefix, Set<String> out) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String key = ((ScalarNode) t.getKeyNode()).getValue();
                collectLeaves(t.getValueNode(), prefix.isEmpty() ? key : prefix + "." + key, out);
            }
        } else {
            out.add(prefix);
        }
    }

    @Test
    void invalidValueBlocksSaveWithTheCoresReason() {
        vm.field("cache.semantic_threshold").textProperty().set("1.5");

        assertThat(vm.field("cache.semantic_threshold").errorProperty().get())
                .isEqualTo("must be between 0 and 1, not 1.5");
        assertThat(vm.validProperty().get()).isFalse();
        assertThat(vm.canSaveBinding().get()).isFalse();

        vm.field("cache.semantic_threshold").textProperty().set("0.95");
        assertThat(vm.field("cache.semantic_threshold").errorProperty().get()).isEmpty();
        assertThat(vm.canSaveBinding().get()).isTrue();
    }

    @Test
    void emptyPhraseIsRefused() {
        vm.field("escalation.phrases").items().add(" ");

        assertThat(vm.field("escalation.phrases").errorProperty().get()).contains("must not be empty");
        assertThat(vm.canSaveBinding().get()).isFalse();
    }

    @Test
    void saveWritesOnlyTheChangesAndKeepsComments() throws Exception {
        vm.field("classifier.heuristic_confidence").textProperty().set("0.8");
        vm.field("escalation.phrases").items().add("As an AI");
        vm.save();

        String file = Files.readString(control.configFile());
        assertThat(file).contains("  heuristic_confidence: 0.8\n").contains("    - As an AI\n")
                .contains("# Layer 1 (heuristic) decides alone when its confidence is at least this.")
                .contains("  embedding_threshold: 0.90\n");
        assertThat(control.config().classifier().heuristicConfidence()).isEqualTo(0.8);
        assertThat(control.config().escalation().phrases()).endsWith("As an AI");
        assertThat(vm.messageProperty().get()).isEqualTo("Saved and applied");
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.outsideChangeBannerProperty().get()).isEmpty();
        assertThat(Files.exists(dir.resolve("config.yaml.bak"))).isTrue();
    }

    @Test
    void portChangeSaysTheListenerRestarted() {
        vm.field("server.port").textProperty().set("8123");
        vm.save();

        assertThat(vm.messageProperty().get()).contains("listener restarted on port 8123");
    }

    @Test
    void editedPricesAndNewModelsAreSaved() throws Exception {
        vm.models().stream().filter(r -> r.modelProperty().get().equals("claude-opus-4-7")).findFirst().orElseThrow()
                .outputProperty().set("30");
        vm.addModel();
        ModelPriceRow added = vm.models().get(vm.models().size() - 1);
        assertThat(vm.canSaveBinding().get()).isFalse();
        assertThat(vm.modelsErrorProperty().get()).isEqualTo("every model needs an id");
        added.modelProperty().set("my-local-model");
        added.inputProperty().set("0.5");
        added.outputProperty().set("abc");
        assertThat(vm.modelsErrorProperty().get()).contains("my-local-model.output");

        added.outputProperty().set("2");
        vm.save();

        String file = Files.readString(control.configFile());
        assertThat(file).contains("  claude-opus-4-7: {input: 5.00, output: 30}")
                .contains("  my-local-model: {input: 0.5, output: 2}")
                .contains("  claude-haiku-4-5: {input: 1.00, output: 5.00}");
        assertThat(control.config().models().get("my-local-model").outputPerMTok()).isEqualTo(2.0);
    }

    @Test
    void budgetsAreAddedCheckedAndSavedAsTheirYamlList() throws Exception {
        assertThat(vm.budgets()).isEmpty();
        vm.addBudget();
        BudgetRow b = vm.budgets().get(0);
        b.nameProperty().set("daily-all");
        b.limitProperty().set("-1");
        assertThat(vm.canSaveBinding().get()).isFalse();
        assertThat(vm.budgetsErrorProperty().get()).isEqualTo("daily-all: limit_usd must be an amount in USD above 0, "
                + "not '-1'");
        b.limitProperty().set("2.50");
        b.actionProperty().set("block");
        vm.addBudget(); // a second one with the same default name
        assertThat(vm.budgetsErrorProperty().get()).contains("another budget has this name");
        BudgetRow month = vm.budgets().get(1);
        month.nameProperty().set("per-key");
        month.periodProperty().set("month");
        month.scopeProperty().set("key");
        month.warnAtProperty().set("50");
        assertThat(vm.budgetsErrorProperty().get()).isEmpty();
        assertThat(vm.canSaveBinding().get()).isTrue();
        vm.save();

        var saved = control.config().budgets().list();
        assertThat(saved).hasSize(2);
        assertThat(saved.get(0).name()).isEqualTo("daily-all");
        assertThat(saved.get(0).limitUsd()).isEqualTo(2.5);
        assertThat(saved.get(0).action()).isEqualTo(dev.costgateway.core.budget.Budget.Action.BLOCK);
        assertThat(saved.get(1).scope()).isEqualTo(dev.costgateway.core.budget.Budget.Scope.KEY);
        assertThat(saved.get(1).warnAtPercent()).isEqualTo(50);
        String file = Files.readString(control.configFile());
        assertThat(file).contains("budgets:", "name: daily-all", "limit_usd: 2.50", "name: per-key")
                .contains("# Spending limits (USD)");
        assertThat(ConfigLoader.parse(file, "config.yaml").config().budgets().list()).isEqualTo(saved);

        vm.removeBudget(vm.budgets().get(0));
        vm.save();
        assertThat(control.config().budgets().list()).extracting(dev.costgateway.core.budget.Budget::name)
                .containsExactly("per-key");
    }

    @Test
    void outsideEditRefreshesACleanForm() throws Exception {
        control.editOutside(ConfigLoader.defaultYaml().replace("hedge_threshold: 5", "hedge_threshold: 7"));

        assertThat(vm.field("escalation.hedge_threshold").textProperty().get()).isEqualTo("7");
        assertThat(vm.messageProperty().get()).contains("outside the app");
    }

    @Test
    void outsideEditDuringUnsavedEditsShowsABannerAndDiscardLoadsIt() throws Exception {
        vm.field("server.port").textProperty().set("9000");
        control.editOutside(ConfigLoader.defaultYaml().replace("hedge_threshold: 5", "hedge_threshold: 7"));

        assertThat(vm.field("server.port").textProperty().get()).isEqualTo("9000");
        assertThat(vm.outsideChangeBannerProperty().get()).contains("changed outside the app");

        vm.discardChanges();
        assertThat(vm.field("server.port").textProperty().get()).isEqualTo("8000");
        assertThat(vm.field("escalation.hedge_threshold").textProperty().get()).isEqualTo("7");
        assertThat(vm.outsideChangeBannerProperty().get()).isEmpty();
    }

    @Test
    void invalidOutsideEditIsReportedNotApplied() throws Exception {
        control.editOutside(ConfigLoader.defaultYaml().replace("port: 8000", "port: 99999"));

        assertThat(vm.rejectedBannerProperty().get()).contains("server.port").contains("must be between 0 and 65535");
        assertThat(vm.field("server.port").textProperty().get()).isEqualTo("8000");
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsShownBeforeSave() throws Exception {
        String before = Files.readString(control.configFile());
        vm.field("server.host").textProperty().set("0.0.0.0");

        assertThat(vm.field("server.host").errorProperty().get()).contains("0.0.0.0").contains("server.auth_token");
        assertThat(vm.canSaveBinding().get()).isFalse();
        vm.save();
        assertThat(Files.readString(control.configFile())).isEqualTo(before);

        vm.field("server.auth_token").textProperty().set("s3cret");
        assertThat(vm.field("server.host").errorProperty().get()).isEmpty();
        assertThat(vm.canSaveBinding().get()).isTrue();
    }

    @Test
    void rulesAcrossKeysRunInTheBackgroundAndSaveWaitsForTheNewestAnswer() {
        List<Runnable> background = new ArrayList<>();
        SettingsViewModel queued = new SettingsViewModel(control, new UiTasks(background::add, Runnable::run));
        queued.activate();
        background.forEach(Runnable::run);
        background.clear();

        queued.field("server.host").textProperty().set("0.0.0.0");
        assertThat(queued.field("server.host").errorProperty().get()).isEmpty();
        assertThat(queued.canSaveBinding().get()).as("the check is still running").isFalse();
        queued.field("server.host").textProperty().set("0.0.0.1");
        assertThat(background).hasSize(2);

        background.get(1).run();
        assertThat(queued.field("server.host").errorProperty().get()).contains("0.0.0.1");
        background.get(0).run(); // the older answer arrives late and is dropped
        assertThat(queued.field("server.host").errorProperty().get()).contains("0.0.0.1").doesNotContain("0.0.0.0");
        assertThat(queued.canSaveBinding().get()).isFalse();
        queued.deactivate();
    }

    @Test
    void eachFieldShowsItsOwnProblem() {
        vm.field("server.port").textProperty().set("abc");
        vm.field("cache.max_entries").textProperty().set("-1");

        assertThat(vm.field("server.port").errorProperty().get()).isEqualTo("must be a whole number, not 'abc'");
        assertThat(vm.field("cache.max_entries").errorProperty().get())
                .isEqualTo("must be between 0 and 100000000, not -1");
        assertThat(vm.invalidCount()).isEqualTo(2);
        vm.field("server.port").textProperty().set("8001");
        assertThat(vm.invalidCount()).isEqualTo(1);
    }
}
