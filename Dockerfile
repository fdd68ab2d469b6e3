# Build:  docker build -t discovery-gateway:0.2.0 .
# Stage 1 builds the jar with the Maven wrapper (Java 17 bytecode) and splits it into Spring Boot's layers, so
# that a code change rebuilds only the small application layer.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/discovery-gateway-*.jar extract --layers --launcher --destination extracted

# Stage 2: a JRE 21 (virtual threads on) without a shell or package manager, as a non-root numeric user.
FROM gcr.io/distroless/java21-debian12:nonroot
WORKDIR /app
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
