# The processors (and the simulator), built the way the README installs and starts them.
FROM node:20-bookworm
# The README asks for npm 11 (node 20 ships npm 10); node-rdkafka builds librdkafka with the toolchain in this image.
RUN npm install -g npm@11
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
COPY . .
CMD ["npm", "start"]
