# NetOps all-in-one image: dashboard, collector, state engine, embedded broker (and the simulator when enabled).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NetOps.Host -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY config /etc/netops
ENV Inventory__Directory=/etc/netops/inventory \
    Urls=http://0.0.0.0:8080
EXPOSE 8080 18830
ENTRYPOINT ["dotnet", "NetOps.Host.dll"]
