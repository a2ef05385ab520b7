using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetOps.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Alerting : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: false),
                    details = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_audit", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    rule = table.Column<string>(type: "TEXT", nullable: false),
                    subject = table.Column<string>(type: "TEXT", nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    labels = table.Column<string>(type: "TEXT", nullable: false),
                    annotations = table.Column<string>(type: "TEXT", nullable: false),
                    ack_by = table.Column<string>(type: "TEXT", nullable: true),
                    ack_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ack_comment = table.Column<string>(type: "TEXT", nullable: true),
                    affected = table.Column<string>(type: "TEXT", nullable: false),
                    silenced_by = table.Column<string>(type: "TEXT", nullable: true),
                    in_maintenance = table.Column<string>(type: "TEXT", nullable: true),
                    flapping = table.Column<bool>(type: "INTEGER", nullable: false),
                    reopened = table.Column<int>(type: "INTEGER", nullable: false),
                    escalated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_notified_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    receiver = table.Column<string>(type: "TEXT", nullable: false),
                    group_key = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    alerts = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    last_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "silences",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    matchers = table.Column<string>(type: "TEXT", nullable: false),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: false),
                    comment = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expired_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_silences", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alert_audit_at",
                table: "alert_audit",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_starts_at",
                table: "alerts",
                column: "starts_at");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_status",
                table: "alerts",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_due",
                table: "notifications",
                columns: new[] { "delivered_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_receiver",
                table: "notifications",
                column: "receiver");

            migrationBuilder.CreateIndex(
                name: "ix_silences_ends_at",
                table: "silences",
                column: "ends_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_audit");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "silences");
        }
    }
}
