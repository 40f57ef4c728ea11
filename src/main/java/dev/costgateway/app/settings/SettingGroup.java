package dev.costgateway.app.settings;

import java.util.List;

/** A titled section of the settings form. */
public record SettingGroup(String title, List<SettingField> fields) {
    public SettingGroup {
        fields = List.copyOf(fields);
    }
}
