# NetOps image: the host (src/NetOps.Host) with every role: dashboard, collector, state engine, embedded broker
# (and the simulator when enabled). All-in-one by default; `--NetOps:Roles collector,engine,web,simulator` picks.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The whole tree (less .dockerignore), not csproj by csproj: a new or renamed project cannot be missed.
COPY . .
RUN dotnet publish src/NetOps.Host -c Release -o /app

# Ubuntu 24.04, not chiseled: the compose healthchecks ask /readyz through bash (the image has no curl or wget).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
COPY config /etc/netops
ENV Inventory__Directory=/etc/netops/inventory \
    Urls=http://0.0.0.0:8080
EXPOSE 8080 18830
ENTRYPOINT ["dotnet", "NetOps.Host.dll"]
