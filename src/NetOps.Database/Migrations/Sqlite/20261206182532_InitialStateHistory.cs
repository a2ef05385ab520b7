using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetOps.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialStateHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "state_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    entity_kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    entity_id = table.Column<string>(type: "TEXT", nullable: false),
                    from_value = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    to_value = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    reason_code = table.Column<string>(type: "TEXT", nullable: false),
                    reason_args = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_state_changes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_state_changes_at",
                table: "state_changes",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ux_state_changes_entity_at",
                table: "state_changes",
                columns: new[] { "entity_kind", "entity_id", "at", "from_value", "to_value", "reason_code" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "state_changes");
        }
    }
}
