"""The pages of Digi info točke, one module per area."""
