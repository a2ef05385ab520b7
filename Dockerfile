# NetOps image: the host (src/NetOps.Host) with every role: dashboard, collector, state engine, embedded broker
# (and the simulator when enabled). All-in-one by default; `--NetOps:Roles collector,engine,web,simulator` picks.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The whole tree (less .dockerignore), not csproj by csproj: a new or renamed project cannot be missed.
COPY . .
RUN dotnet publish src/NetOps.Host -c Release -o /app
# The netops command line beside it, for accounts and tokens on the container's database
# (docker compose exec netops dotnet cli/netops.dll users list; it reads /app/appsettings.json and the environment).
RUN dotnet publish src/NetOps.Cli -c Release -o /app/cli

# Ubuntu 24.04, not chiseled: the compose healthchecks ask /readyz through bash (the image has no curl or wget).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
# The inventory only: no secrets file. Credentials come at run time (compose secrets, NETOPS_SECRET_<NAME>;
# docs/deployment.md), so the image can be pushed and shared.
COPY config/inventory /etc/netops/inventory
# Not root: the aspnet image's app user. The data and log directories are its own, and so are named volumes mounted
# there on first use (they copy the image's owner).
RUN mkdir -p /app/data /app/logs && chown "$APP_UID" /app/data /app/logs
USER $APP_UID
# 0.0.0.0 inside the container: docker-compose.yml publishes the port on 127.0.0.1 of the host.
ENV Inventory__Directory=/etc/netops/inventory \
    Urls=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "NetOps.Host.dll"]
